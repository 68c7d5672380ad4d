#pragma once

#include <map>
#include <string>

namespace sluice::test {

/// The value of the series `name` with exactly `labels` in a Prometheus text
/// exposition (as prometheus-cpp writes it: labels in key order), or -1 if
/// there is none.
inline double sample(const std::string& exposition, const std::string& name,
                     const std::map<std::string, std::string>& labels = {}) {
  auto key = name;
  if (!labels.empty()) {
    key += '{';
    for (const auto& [k, v] : labels)
      key += k + "=\"" + v + "\",";
    key.back() = '}';
  }
  key += ' ';
  auto at = exposition.find("\n" + key);
  if (at == std::string::npos)
    return -1;
  return std::stod(exposition.substr(at + 1 + key.size()));
}

} // namespace sluice::test
