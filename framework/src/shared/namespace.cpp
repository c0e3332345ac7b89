// Namespace: attributes by name, each a value whose type the caller checks on get, or the
// encoding another OS process sent.

#include "csp/shared/namespace.hpp"

namespace csp::detail {

std::optional<Attribute::Encoded> Attribute::encoded() const {
  if (!value_.has_value()) return encoded_;
  if (!encode_) return std::nullopt;
  Encoded out;
  encode_(value_, out);
  return out;
}

Attribute::Encoded NamespaceState::handle(Load& op) const {
  const Attribute& a = at(op.attr);
  std::optional<Attribute::Encoded> encoded = a.encoded();
  if (!encoded) throw does_not_cross(name_, op.attr, a);
  return std::move(*encoded);
}

std::vector<std::string> NamespaceState::handle(Names&) const {
  std::vector<std::string> names;
  for (const auto& [n, v] : attrs_) names.push_back(n);
  return names;
}

Attribute& NamespaceState::at(const std::string& attr) {
  auto it = attrs_.find(attr);
  if (it == attrs_.end()) throw missing_attribute(name_, attr);
  return it->second;
}

const Attribute& NamespaceState::at(const std::string& attr) const {
  return const_cast<NamespaceState*>(this)->at(attr);
}

}  // namespace csp::detail

namespace csp {

Namespace::Namespace() : Namespace(detail::make_owner()) {}
Namespace::Namespace(detail::Origin origin) : Handle(std::move(origin), "Namespace") {}

}  // namespace csp
