// The names of an enum's values as one table in declaration order, instead of
// a switch of `case E::x: return "x";` lines. Each table sits next to a
// static_assert that its length is the last enumerator + 1, so that a value
// added to the enum without a name fails to build, as -Wswitch would warn.
#pragma once
#include <cstddef>

namespace ptscope {

// names[value], or `fallback` for a value past the table (a corrupt value
// cast from a number).
template <class E, size_t N>
constexpr const char* enum_name(E value, const char* const (&names)[N], const char* fallback) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : fallback;
}

// How many values an enum with contiguous values from 0 has: its last one + 1.
template <class E>
constexpr size_t enum_count(E last) {
  return static_cast<size_t>(last) + 1;
}

}  // namespace ptscope
