#pragma once

#include <string>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "storage/records.hpp"

/// The message vocabulary of scripts (docs/plugins.md): deployed instances of a
/// consumer plugin with their variables, kept by the hub. Registered in
/// `actors/type_ids.hpp`.

namespace sluice {

namespace storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, script_record& x) {
  return f(caf::meta::type_name("script_record"), x.account, x.name, x.plugin, x.env, x.created_ms,
           x.modified_ms);
}

} // namespace storage

using script_list = std::vector<storage::script_record>;

/// Deploy (create or replace) script `name`. The HTTP layer has checked that
/// the plugin exists. Reply: the stored `storage::script_record`, or
/// `invalid_request`, `storage_failure`.
struct put_script {
  std::string account;
  std::string name;
  std::string plugin;
  std::vector<std::pair<std::string, std::string>> env;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, put_script& x) {
  return f(caf::meta::type_name("put_script"), x.account, x.name, x.plugin, x.env, x.caller);
}

/// Read one script. Reply: `storage::script_record`, or `script_not_found`.
struct get_script {
  std::string account;
  std::string name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_script& x) {
  return f(caf::meta::type_name("get_script"), x.account, x.name);
}

/// Every script of an account, by name. Reply: `script_list`.
struct list_scripts {
  std::string account;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_scripts& x) {
  return f(caf::meta::type_name("list_scripts"), x.account);
}

/// Delete a script. Reply: `caf::ok_atom`, or `script_not_found`,
/// `script_in_use` (a worker consumer names it), `storage_failure`.
struct delete_script {
  std::string account;
  std::string name;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delete_script& x) {
  return f(caf::meta::type_name("delete_script"), x.account, x.name, x.caller);
}

} // namespace sluice
