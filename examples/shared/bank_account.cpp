// The bank account from every multiprocessing tutorial: one process deposits, one withdraws,
// 10,000 times each, on a shared balance of 100. Without atomicity the balance drifts; here it
// ends at exactly 100, first with update(), then with get_lock() around a get and a set.

#include <csp/csp.hpp>

#include <iostream>
#include <mutex>

namespace {

constexpr int operations = 10000;

// Python: with balance.get_lock(): balance.value += amount  ->  update() does it in one request.
const auto Transfer = csp::process([](csp::Value<int> balance, int amount) {
  for (int i = 0; i < operations; ++i) balance.update([amount](int& b) { b += amount; });
});

// The literal port: the lock makes the read-modify-write atomic.
const auto TransferLocked = csp::process([](csp::Value<int> balance, int amount) {
  for (int i = 0; i < operations; ++i) {
    std::lock_guard guard(balance.get_lock());
    balance.set(balance.get() + amount);
  }
});

}  // namespace

int main() {
  std::cout << "Bank account: balance 100, deposit and withdraw " << operations
            << " times each\n";

  csp::Value<int> balance(100);
  csp::Parallel(Transfer(balance, +1), Transfer(balance, -1));
  std::cout << "with update():   final balance " << balance.get() << '\n';

  csp::Value<int> locked(100);
  csp::Parallel(TransferLocked(locked, +1), TransferLocked(locked, -1));
  std::cout << "with get_lock(): final balance " << locked.get() << '\n';
}
