// Namespace: attributes by name, each a std::any whose type the caller checks on get.

#include "csp/shared/namespace.hpp"

namespace csp::detail {

std::vector<std::string> NamespaceState::handle(Names&) const {
  std::vector<std::string> names;
  for (const auto& [n, v] : attrs_) names.push_back(n);
  return names;
}

std::any& NamespaceState::at(const std::string& attr) {
  auto it = attrs_.find(attr);
  if (it == attrs_.end()) throw missing_attribute(name_, attr);
  return it->second;
}

const std::any& NamespaceState::at(const std::string& attr) const {
  return const_cast<NamespaceState*>(this)->at(attr);
}

}  // namespace csp::detail

namespace csp {

Namespace::Namespace() : Namespace(detail::make_owner()) {}
Namespace::Namespace(std::shared_ptr<detail::Owner> owner)
    : Handle(std::move(owner), detail::object_name("Namespace")) {}

}  // namespace csp
