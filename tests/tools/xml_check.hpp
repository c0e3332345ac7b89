// A small XML well-formedness check for the tests of the SVG pictures: balanced tags, quoted
// attributes, known entities, one root. Enough to catch a broken writer; not a full parser.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace csp_test {

namespace detail {

inline bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' || c == '.';
}

// Walks `doc`; calls on_root with the first element's name. Returns what is wrong, or "".
template <class OnRoot>
std::string walk(std::string_view doc, OnRoot on_root) {
  std::vector<std::string> open;
  bool had_root = false;
  std::size_t i = 0;
  auto fail = [&](std::string_view why) { return std::string(why) + " at byte " + std::to_string(i); };
  while (i < doc.size()) {
    if (doc[i] == '&') {
      std::size_t semi = doc.find(';', i);
      if (semi == std::string_view::npos) return fail("bad entity");
      std::string_view ent = doc.substr(i + 1, semi - i - 1);
      if (ent != "amp" && ent != "lt" && ent != "gt" && ent != "quot" && ent != "apos" &&
          !(ent.size() > 1 && ent[0] == '#'))
        return fail("bad entity");
      i = semi + 1;
      continue;
    }
    if (doc[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i])))
        return fail("text outside the root");
      ++i;
      continue;
    }
    auto skip_to = [&](std::string_view end) {
      std::size_t e = doc.find(end, i);
      if (e == std::string_view::npos) return false;
      i = e + end.size();
      return true;
    };
    if (doc.substr(i, 4) == "<!--") {
      if (!skip_to("-->")) return fail("unterminated comment");
      continue;
    }
    if (doc.substr(i, 2) == "<?" || doc.substr(i, 2) == "<!") {
      if (!skip_to(">")) return fail("unterminated declaration");
      continue;
    }
    bool closing = doc.substr(i, 2) == "</";
    i += closing ? 2 : 1;
    std::size_t start = i;
    while (i < doc.size() && name_char(doc[i])) ++i;
    std::string name(doc.substr(start, i - start));
    if (name.empty()) return fail("tag without a name");
    if (closing) {
      while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
      if (i >= doc.size() || doc[i] != '>') return fail("bad closing tag");
      if (open.empty() || open.back() != name) return fail("</" + name + "> closes nothing open");
      open.pop_back();
      ++i;
      continue;
    }
    if (open.empty()) {
      if (had_root) return fail("a second root element");
      had_root = true;
      on_root(name);
    }
    for (;;) {  // attributes
      while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
      if (i >= doc.size()) return fail("unterminated tag");
      if (doc[i] == '>') {
        open.push_back(name);
        ++i;
        break;
      }
      if (doc.substr(i, 2) == "/>") {
        i += 2;
        break;
      }
      std::size_t a = i;
      while (i < doc.size() && name_char(doc[i])) ++i;
      if (i == a || i >= doc.size() || doc[i] != '=') return fail("bad attribute");
      ++i;
      if (i >= doc.size() || (doc[i] != '"' && doc[i] != '\'')) return fail("unquoted attribute");
      std::size_t close = doc.find(doc[i], i + 1);
      if (close == std::string_view::npos) return fail("unterminated attribute");
      if (doc.substr(i, close - i).find('<') != std::string_view::npos) return fail("'<' in an attribute");
      i = close + 1;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!had_root) return "no root element";
  return "";
}

}  // namespace detail

/// What makes `doc` malformed, or "" if it is well-formed.
inline std::string xml_problem(std::string_view doc) {
  return detail::walk(doc, [](const std::string&) {});
}

/// The name of the root element ("" if there is none).
inline std::string xml_root(std::string_view doc) {
  std::string root;
  detail::walk(doc, [&](const std::string& name) { root = name; });
  return root;
}

}  // namespace csp_test
