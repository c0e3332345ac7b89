// Pictures of a trace: the process network as Graphviz DOT (rendered to SVG or PNG by `dot`),
// and a per-process timeline as a self-contained SVG or HTML page.
#pragma once

#include <string>
#include <string_view>

#include "trace_model.hpp"

namespace csp::trace_tool {

/// `s` with XML's special characters escaped, for text and attribute values.
std::string xml_escape(std::string_view s);

/// Processes are boxes, channels edges labelled with their message counts (a channel with
/// several readers or writers becomes a node of its own); blocked processes are red. Data
/// flows left to right, or top to bottom when `downwards`.
std::string network_dot(const Trace& t, bool downwards = false);

/// The network's DOT in the direction whose picture is the least long on its longer side, so
/// that it stays legible when fitted to a screen (long pipelines read better downwards).
std::string network_dot_fitted(const Trace& t);

/// Runs Graphviz's `dot` to turn `dot_text` into `out` in `format` ("svg", "png", "plain").
void render_dot(const std::string& dot_text, const std::string& format, const std::string& out);

/// One row per process over the trace's time: its life as a bar, its reads, writes,
/// alternation choices, retires and poisons as ticks; blocked processes in red.
std::string timeline_svg(const Trace& t);
/// The same timeline in a page of its own.
std::string timeline_html(const Trace& t);

}  // namespace csp::trace_tool
