// The one home for turning numbers into text: bytes, counts, shapes,
// percentages and printf-style numbers, for every report and command.
// Where two places print the same kind of number differently on purpose
// (what a zero whole or a rank-0 shape prints), the variant is a parameter.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ptscope {

// printf into a std::string, never truncated: fmt("%.1f GB/s", 12.34) == "12.3 GB/s".
std::string fmt(const char* printf_format, ...) __attribute__((format(printf, 1, 2)));

std::string format_bytes(uint64_t bytes);             // "1.5 MiB"; below 1 KiB exact: "512 B"
std::string format_count(double n);                   // "11.7 M"
std::string format_count_or_dash(double n);           // format_count, or "-" where n is not positive

// A measurement with no unit of its own (a mean, an R², an axis tick) in four significant
// digits, as printf's "%.4g" writes it: "0.25", "1234", "1.235e+04", "1e-05"; "nan", "inf", "-inf".
std::string format_number(double v);
// A duration given in microseconds: "12.5 µs" below 1 ms, "1.50 ms" below 1 s, then "2.00 s".
std::string format_duration_us(double microseconds);

// "12.5%" (one decimal) of part in whole; `when_whole_is_zero` where whole is not positive
// (a table prints "-", a sentence "0%").
std::string format_percent(double part, double whole, std::string_view when_whole_is_zero);

std::string format_shape(std::span<const int64_t> shape);        // "[64, 3, 7, 7]"; rank 0: "[]"
// "64x3x7x7" as a compact label; `when_scalar` for rank 0 ("scalar", "[]").
std::string format_shape_dims(std::span<const int64_t> shape, std::string_view when_scalar);
std::string format_shape_tuple(std::span<const int64_t> shape);  // as Python prints a tuple: "(64, 3)", "(5,)", "()"

}  // namespace ptscope
