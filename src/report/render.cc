// See render.h.
#include "report/render.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tlsweep::report {
namespace {

std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos && !text.empty() && text.front() != ' ' &&
      text.back() != ' ') {
    return text;
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Chart geometry, in SVG user units (pixels at 100% zoom).
constexpr double kWidth = 760;
constexpr double kLabelWidth = 150;  // group labels such as "xmpp-server/5269"
constexpr double kPlotWidth = 520;
constexpr double kRowHeight = 22;
constexpr double kPlotHeight = 200;
constexpr double kMargin = 40;
constexpr char kBarColour[] = "#3b6ea5";

std::string SvgText(double x, double y, const std::string& text, const char* anchor = "start",
                    const char* extra = "") {
  return absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>\n", x, y, anchor,
                         extra, Escape(text));
}

std::string NoData(double height) {
  return SvgText(kWidth / 2, height / 2, "no data", "middle", " class=\"muted\"");
}

std::string ShareBarsSvg(const Chart& c) {
  const double height = kMargin + static_cast<double>(std::max<size_t>(c.labels.size(), 1)) * kRowHeight + kMargin;
  std::string svg = absl::StrFormat(
      "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n", kWidth, height,
      kWidth, height);
  if (c.labels.empty()) return svg + NoData(height) + "</svg>\n";
  const double bottom = kMargin + static_cast<double>(c.labels.size()) * kRowHeight;
  for (int tick = 0; tick <= 4; ++tick) {
    const double x = kLabelWidth + kPlotWidth * tick / 4;
    svg += absl::StrFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n", x,
                           kMargin - 4, x, bottom);
    svg += SvgText(x, bottom + 16, absl::StrCat(tick * 25, "%"), "middle");
  }
  for (size_t i = 0; i < c.labels.size(); ++i) {
    const double y = kMargin + static_cast<double>(i) * kRowHeight;
    const double w = kPlotWidth * std::clamp(c.values[i], 0.0, 1.0);
    svg += SvgText(kLabelWidth - 6, y + 15, c.labels[i], "end");
    svg += absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                           kLabelWidth, y + 3, w, kRowHeight - 6, kBarColour);
    svg += SvgText(kLabelWidth + w + 4, y + 15, absl::StrFormat("%.1f%%", 100 * c.values[i]));
  }
  svg += SvgText(kLabelWidth + kPlotWidth / 2, bottom + 34, c.x_label, "middle", " class=\"muted\"");
  return svg + "</svg>\n";
}

std::string HistogramSvg(const Chart& c) {
  const double height = kMargin + kPlotHeight + kMargin + 20;
  std::string svg = absl::StrFormat(
      "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n", kWidth, height,
      kWidth, height);
  if (c.labels.empty()) return svg + NoData(height) + "</svg>\n";
  const double max = *std::max_element(c.values.begin(), c.values.end());
  const double left = kMargin + 20;
  const double plot = kWidth - left - kMargin;
  // At most 60 units per bar, so a few sizes do not make slabs.
  const double slot = std::min(60.0, plot / static_cast<double>(c.labels.size()));
  const double bottom = kMargin + kPlotHeight;
  svg += absl::StrFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n", left,
                         bottom, left + plot, bottom);
  for (size_t i = 0; i < c.labels.size(); ++i) {
    const double h = max > 0 ? kPlotHeight * c.values[i] / max : 0;
    const double x = left + slot * static_cast<double>(i);
    svg += absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                           x + slot * 0.15, bottom - h, slot * 0.7, h, kBarColour);
    svg += SvgText(x + slot / 2, bottom - h - 4, absl::StrFormat("%.0f", c.values[i]), "middle");
    svg += SvgText(x + slot / 2, bottom + 16, c.labels[i], "middle");
  }
  svg += SvgText(left + plot / 2, bottom + 36, c.x_label, "middle", " class=\"muted\"");
  return svg + "</svg>\n";
}

std::string CdfSvg(const Chart& c) {
  const double height = kMargin + kPlotHeight + kMargin + 20;
  std::string svg = absl::StrFormat(
      "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n", kWidth, height,
      kWidth, height);
  if (c.points.empty()) return svg + NoData(height) + "</svg>\n";
  const double left = kMargin + 20;
  const double plot = kWidth - left - kMargin;
  const double bottom = kMargin + kPlotHeight;
  // x from 1 to the next power of ten above the largest group, log scale.
  const double decades = std::max(1.0, std::ceil(std::log10(c.points.back().first) - 1e-9));
  auto px = [&](double x) { return left + plot * std::log10(std::max(x, 1.0)) / decades; };
  auto py = [&](double y) { return bottom - kPlotHeight * y; };
  for (int d = 0; d <= static_cast<int>(decades); ++d) {
    const double x = px(std::pow(10.0, d));
    svg += absl::StrFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n", x,
                           kMargin, x, bottom);
    svg += SvgText(x, bottom + 16, absl::StrFormat("%.0f", std::pow(10.0, d)), "middle");
  }
  for (int tick = 0; tick <= 4; ++tick) {
    const double y = py(tick / 4.0);
    svg += absl::StrFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n", left,
                           y, left + plot, y);
    svg += SvgText(left - 6, y + 4, absl::StrCat(tick * 25, "%"), "end");
  }
  // A step function: the share jumps at each group size.
  std::string points = absl::StrFormat("%.1f,%.1f", px(1), py(0));
  double previous = 0;
  for (const auto& [x, y] : c.points) {
    absl::StrAppendFormat(&points, " %.1f,%.1f %.1f,%.1f", px(x), py(previous), px(x), py(y));
    previous = y;
  }
  absl::StrAppendFormat(&points, " %.1f,%.1f", left + plot, py(previous));
  svg += absl::StrFormat("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                         points, kBarColour);
  svg += SvgText(left + plot / 2, bottom + 36, c.x_label, "middle", " class=\"muted\"");
  return svg + "</svg>\n";
}

std::string ChartSvg(const Chart& c) {
  switch (c.kind) {
    case Chart::Kind::kShareBars:
      return ShareBarsSvg(c);
    case Chart::Kind::kHistogram:
      return HistogramSvg(c);
    case Chart::Kind::kCdf:
      return CdfSvg(c);
  }
  return "";
}

constexpr char kStyle[] = R"(body{font-family:sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:0.5em 0 2em;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef2f7}
p.note{color:#555;font-size:13px;max-width:70em}
figure{margin:1em 0 2em}
figcaption{font-weight:bold}
svg text{font-size:12px;font-family:sans-serif;fill:#222}
svg .muted{fill:#666}
svg .grid{stroke:#ddd}
svg .axis{stroke:#888}
)";

}  // namespace

std::string RenderMarkdown(const Report& report) {
  std::string out = "# tlsweep report\n\n";
  for (const std::string& s : report.summary) absl::StrAppend(&out, s, "\n\n");
  for (const Table& t : report.tables) {
    absl::StrAppend(&out, "## ", t.title, "\n\n", t.note, "\n\n");
    if (t.rows.empty()) {
      out += "(no rows)\n\n";
      continue;
    }
    out += "|";
    for (const std::string& c : t.columns) absl::StrAppend(&out, " ", MarkdownCell(c), " |");
    out += "\n|";
    for (size_t i = 0; i < t.columns.size(); ++i) out += "---|";
    out += "\n";
    for (const std::vector<Cell>& row : t.rows) {
      out += "|";
      for (const Cell& c : row) absl::StrAppend(&out, " ", MarkdownCell(c.Display()), " |");
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

std::string RenderCsv(const Table& table) {
  std::string out;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    absl::StrAppend(&out, i > 0 ? "," : "", CsvField(table.columns[i]));
  }
  out += "\r\n";
  for (const std::vector<Cell>& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) absl::StrAppend(&out, i > 0 ? "," : "", CsvField(row[i].Plain()));
    out += "\r\n";
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (f == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  if (std::fwrite(contents.data(), 1, contents.size(), f.get()) != contents.size() ||
      std::fflush(f.get()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status WriteCsvFiles(const Report& report, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create directory ", dir, ": ", ec.message()));
  for (const Table& t : report.tables) {
    const absl::Status s = WriteFile((std::filesystem::path(dir) / (t.id + ".csv")).string(), RenderCsv(t));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string RenderHtml(const Report& report) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>tlsweep report</title>\n<style>\n",
      kStyle, "</style>\n</head>\n<body>\n<h1>tlsweep report</h1>\n");
  for (const std::string& s : report.summary) absl::StrAppend(&out, "<p>", Escape(s), "</p>\n");
  out += "<h2>Charts</h2>\n";
  for (const Chart& c : report.charts) {
    absl::StrAppend(&out, "<figure id=\"chart-", Escape(c.id), "\">\n<figcaption>", Escape(c.title),
                    "</figcaption>\n", ChartSvg(c), "</figure>\n");
  }
  for (const Table& t : report.tables) {
    absl::StrAppend(&out, "<h2 id=\"", Escape(t.id), "\">", Escape(t.title), "</h2>\n<p class=\"note\">",
                    Escape(t.note), "</p>\n");
    if (t.rows.empty()) {
      out += "<p>(no rows)</p>\n";
      continue;
    }
    out += "<table>\n<tr>";
    for (const std::string& c : t.columns) absl::StrAppend(&out, "<th>", Escape(c), "</th>");
    out += "</tr>\n";
    for (const std::vector<Cell>& row : t.rows) {
      out += "<tr>";
      for (const Cell& c : row) {
        const bool number = c.kind == Cell::Kind::kCount || c.kind == Cell::Kind::kShare;
        absl::StrAppend(&out, number ? "<td class=\"n\">" : "<td>", Escape(c.Display()), "</td>");
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace tlsweep::report
