#include "actors/control/audit_log.hpp"

#include <algorithm>

namespace sluice {

bool audit_action::known(std::string_view name) {
  return std::find(std::begin(all), std::end(all), name) != std::end(all);
}

audit_log::audit_log(std::vector<storage::audit_record> recovered, size_t retention, int64_t now_ms)
  : retention_(std::max<size_t>(1, retention)) {
  std::sort(recovered.begin(), recovered.end(),
            [](const auto& x, const auto& y) { return x.seq < y.seq; });
  next_seq_ =
      std::max<uint64_t>(next_seq_, static_cast<uint64_t>(std::max<int64_t>(0, now_ms)) * 1000);
  for (auto& r : recovered) {
    next_seq_ = std::max(next_seq_, r.seq + 1);
    accounts_[r.account].push_back({std::move(r), true});
  }
}

audit_receipt audit_log::add(storage::audit_record& rec, storage::meta_change& c) {
  rec.seq = next_seq_++;
  c.put_audit.push_back(rec);
  audit_receipt out{rec.account, rec.seq, {}};
  auto& entries = accounts_[rec.account];
  entries.push_back({rec, false});
  // Only settled entries are trimmed: a pending one may still fail, and then
  // the trim could not be undone. With many writes in flight an account may
  // briefly hold more than the retention; the next add trims it back.
  while (entries.size() > retention_ && entries.front().settled) {
    const auto& old = entries.front().rec;
    c.erase_audit.push_back({old.account, old.seq});
    out.trimmed.push_back(old);
    entries.pop_front();
  }
  return out;
}

void audit_log::commit(const audit_receipt& r) {
  auto a = accounts_.find(r.account);
  if (a == accounts_.end())
    return;
  // Newest entries sit at the back, where a just-written one is.
  for (auto i = a->second.rbegin(); i != a->second.rend(); ++i)
    if (i->rec.seq == r.seq) {
      i->settled = true;
      return;
    }
}

void audit_log::rollback(const audit_receipt& r) {
  auto& entries = accounts_[r.account];
  auto by_seq = [](const entry& e, uint64_t seq) { return e.rec.seq < seq; };
  auto i = std::lower_bound(entries.begin(), entries.end(), r.seq, by_seq);
  if (i != entries.end() && i->rec.seq == r.seq)
    entries.erase(i);
  for (const auto& old : r.trimmed)
    entries.insert(std::lower_bound(entries.begin(), entries.end(), old.seq, by_seq),
                   entry{old, true});
}

audit_list audit_log::query(const list_audit& q) const {
  audit_list out;
  auto a = accounts_.find(q.account);
  if (a == accounts_.end())
    return out;
  for (auto i = a->second.rbegin(); i != a->second.rend(); ++i) {
    const auto& e = i->rec;
    if (!i->settled || (!q.action.empty() && e.action != q.action)
        || (!q.resource_id.empty() && e.resource_id != q.resource_id)
        || (q.since_ms && e.time_ms < *q.since_ms) || (q.until_ms && e.time_ms > *q.until_ms))
      continue;
    if (out.total >= q.offset && (q.limit == 0 || out.entries.size() < q.limit))
      out.entries.push_back(e);
    ++out.total;
  }
  return out;
}

} // namespace sluice
