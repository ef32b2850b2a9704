// Catch2 checks for SVG documents: well-formed XML (xml_check.h), every
// coordinate finite and inside the viewBox; helpers to find drawn elements.
#pragma once
#include <catch2/catch.hpp>

#include <cctype>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "xml_check.h"

namespace ptscope::test {


inline double parse_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return NAN;
  return v;
}

// Numbers of an attribute such as points="1,2 3,4" or a path's d.
inline std::vector<double> numbers_in(const std::string& s) {
  std::vector<double> out;
  std::string token;
  auto flush = [&] {
    if (!token.empty()) out.push_back(parse_number(token));
    token.clear();
  };
  for (char c : s) {
    if (c == ' ' || c == ',') flush();
    else if (std::isalpha(static_cast<unsigned char>(c)) && c != 'e') { flush(); }
    else token += c;
  }
  flush();
  return out;
}

// Parses an SVG and checks every coordinate; returns the root for more checks.
inline std::unique_ptr<xml::Element> check_svg(const std::string& svg_text) {
  std::unique_ptr<xml::Element> root;
  INFO(svg_text.substr(0, 300));
  REQUIRE_NOTHROW(root = xml::parse(svg_text));
  REQUIRE(root->name == "svg");
  const auto vb = numbers_in(root->attrs.at("viewBox"));
  REQUIRE(vb.size() == 4);
  const double W = vb[2], H = vb[3], eps = 0.51;
  REQUIRE(std::isfinite(W));
  REQUIRE(std::isfinite(H));
  REQUIRE(W > 0);
  REQUIRE(H > 0);
  auto in_x = [&](double x) { return std::isfinite(x) && x >= -eps && x <= W + eps; };
  auto in_y = [&](double y) { return std::isfinite(y) && y >= -eps && y <= H + eps; };
  xml::walk(*root, [&](const xml::Element& e) {
    if (e.name == "svg") return;
    INFO(e.name);
    for (const auto& [k, v] : e.attrs) {
      INFO(k << "=" << v);
      if (k == "x" || k == "x1" || k == "x2" || k == "cx") CHECK(in_x(parse_number(v)));
      if (k == "y" || k == "y1" || k == "y2" || k == "cy") CHECK(in_y(parse_number(v)));
      if (k == "width" || k == "height" || k == "r" || k == "font-size" || k == "stroke-width") {
        const double d = parse_number(v);
        CHECK(std::isfinite(d));
        CHECK(d >= 0);
      }
      if (k == "points") {
        const auto p = numbers_in(v);
        CHECK(p.size() % 2 == 0);
        for (size_t i = 0; i + 1 < p.size(); i += 2) {
          CHECK(in_x(p[i]));
          CHECK(in_y(p[i + 1]));
        }
      }
      if (k == "d") {  // M x y, L x y, A rx ry rot large sweep x y, C x1 y1 x2 y2 x y, Z
        std::istringstream in(v);
        std::string cmd;
        while (in >> cmd) {
          if (cmd == "Z") continue;
          std::vector<double> args(cmd == "A" ? 7 : cmd == "C" ? 6 : 2);
          for (auto& a : args) {
            std::string t;
            in >> t;
            a = parse_number(t);
            CHECK(std::isfinite(a));
          }
          CHECK(in_x(args[args.size() - 2]));
          CHECK(in_y(args.back()));
        }
      }
    }
    if (e.attrs.count("x") && e.attrs.count("width"))
      CHECK(parse_number(e.attrs.at("x")) + parse_number(e.attrs.at("width")) <= W + eps);
    if (e.attrs.count("y") && e.attrs.count("height"))
      CHECK(parse_number(e.attrs.at("y")) + parse_number(e.attrs.at("height")) <= H + eps);
  });
  return root;
}

inline std::vector<const xml::Element*> with_class(const xml::Element& root, const std::string& cls) {
  std::vector<const xml::Element*> out;
  xml::walk(root, [&](const xml::Element& e) {
    const auto it = e.attrs.find("class");
    if (it != e.attrs.end() && it->second == cls) out.push_back(&e);
  });
  return out;
}

}  // namespace ptscope::test
