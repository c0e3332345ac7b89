// The default runtime's lifecycle: started on first use, stopped by shutdown() or at exit.
// Stopping unwinds parked processes while the runtime is still reachable, since their
// unwinding code (timers, channels) may call back into it.

#include "runtime.hpp"

#include <caf/all.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <thread>

#include "child_link.hpp"
#include "csp/detail/activity.hpp"
#include "csp/detail/idle_spin.hpp"
#include "csp/shared/detail/owner.hpp"
#include "csp/errors.hpp"
#include "csp/runtime.hpp"
#include "network.hpp"
#include "trace.hpp"

namespace csp::detail {

using resume_atom = caf::atom_constant<caf::atom("resume")>;

namespace {

class ExecutorActor final : public caf::event_based_actor {
 public:
  ExecutorActor(caf::actor_config& cfg, Executor* executor)
      : caf::event_based_actor(cfg), executor_(executor) {}

  caf::behavior make_behavior() override {
    return {[this](resume_atom) { executor_->run(); }};
  }

 private:
  Executor* executor_;
};

struct Global {
  std::mutex mutex;
  Configuration config;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Runtime> stopped_at_exit;  // kept, never destroyed (see stop_at_exit)
  std::atomic<Runtime*> current{nullptr};
  bool exit_hook = false;
  std::vector<void (*)() noexcept> stop_hooks;
};

Global& global() {
  static Global* g = new Global;  // never destroyed: the exit hook below outlives statics
  return *g;
}

// First, while processes and owners still run: what the hooks end (the remote layer's
// connections) may be in the middle of their channel operations and requests. Even with no
// runtime: threads may use channels and serve them without one.
void run_stop_hooks(Global& g) noexcept {
  for (auto hook : g.stop_hooks) hook();
}

void stop_runtime() noexcept {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  run_stop_hooks(g);
  if (!g.runtime) return;
  g.runtime->stop();
  g.current.store(nullptr);
  g.runtime.reset();
}

// CAF 0.17's actor_system cannot be destroyed once exit() has begun (it frees memory twice;
// a ten-line program without csp shows it). At exit the runtime stops its processes and
// timer and leaves CAF's idle threads to the OS; csp::shutdown() stops everything.
void stop_at_exit() noexcept {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  run_stop_hooks(g);
  if (!g.runtime) return;
  g.runtime->stop(false);
  g.current.store(nullptr);
  g.stopped_at_exit = std::move(g.runtime);
}

}  // namespace

Runtime& runtime() {
  Global& g = global();
  if (Runtime* r = g.current.load(std::memory_order_acquire)) return *r;
  std::lock_guard lock(g.mutex);
  if (!g.runtime) {
    refuse_unclaimed_child();
    g.runtime = std::make_unique<Runtime>(g.config);
    g.current.store(g.runtime.get(), std::memory_order_release);
    if (!g.exit_hook) {
      g.exit_hook = true;
      std::atexit(stop_at_exit);
    }
  }
  return *g.runtime;
}

void with_runtime(const std::function<void(Runtime*)>& f) {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  f(g.runtime.get());
}

void at_stop(void (*hook)() noexcept) {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  g.stop_hooks.push_back(hook);
}

Runtime::Runtime(const Configuration& config)
    : config_(config),
      cfg_(std::make_unique<caf::actor_system_config>()),
      stacks_(config.stack_size()),
      timer_(std::make_unique<Timer>()),
      workers_(config.threads() ? config.threads()
                                : std::max(1u, std::thread::hardware_concurrency())) {
  trace::configure(trace::file_for(config.trace()));
  const std::optional<std::chrono::microseconds> spin = config.idle_spin();
  set_idle_spin(spin ? *spin : idle_spin_from_environment());
  const std::size_t n = workers_.count;
  cfg_->set("scheduler.max-threads", n);
  // One run queue for all workers, whose idle ones sleep on a condition variable: a wake-up
  // from another thread (a peer's frame, an owner's answer, a process on another executor)
  // reaches an idle worker at once. CAF's default work stealing left such an executor in the
  // queue of the worker that woke it while that one stayed busy, until an idle worker came by
  // to steal it (polling every 100 us or so, later every 10 ms).
  cfg_->set("scheduler.policy", caf::atom("sharing"));
  system_ = std::make_unique<caf::actor_system>(*cfg_);
  set_deadlock_handler([] {
    if (Runtime* r = global().current.load()) r->report_deadlock();
  });
  for (std::size_t i = 0; i < n; ++i) {
    executors_.push_back(std::make_unique<Executor>(workers_));
    executors_.back()->attach(system_->spawn<ExecutorActor>(executors_.back().get()));
  }
}

Runtime::~Runtime() = default;

void Runtime::report_deadlock() {
  if (trace::on()) trace_blocked(*this);
  constexpr std::size_t shown = 20;
  set_deadlock_report("deadlock: every process is blocked and nothing can wake any of them\n" +
                      describe_network(this, shown));
  // Threads waiting in Parallel, Sequence, join or shutdown get csp::Deadlock.
  ThreadContext::interrupt_all(Outcome::deadlock);
}

void Runtime::start(ProcessBase* const* procs, std::size_t n) {
  current_context();  // a thread that starts processes counts as activity from now on
  Executor* ex = Executor::current();
  if (!ex) ex = executors_[next_.fetch_add(1, std::memory_order_relaxed) % executors_.size()].get();
  std::vector<Fiber*> fibers;
  for (std::size_t i = 0; i < n; ++i) {
    std::shared_ptr<ProcessBase> p = procs[i]->shared_from_this();
    if (p->launch() == Launch::thread) {
      {
        std::lock_guard lock(threads_->mutex);
        threads_->live.push_back(p.get());
      }
      activity_add();  // until the thread's own context counts it
      std::thread([threads = threads_, p] {
        current_context();
        activity_remove();
        p->run();
        std::lock_guard lock(threads->mutex);
        std::erase(threads->live, p.get());
        threads->cv.notify_all();
      }).detach();
    } else {
      fibers.push_back(Fiber::create(*ex, stacks_, std::move(p)));
    }
  }
  if (!fibers.empty()) ex->adopt(fibers);
}

void Runtime::collect(std::vector<std::shared_ptr<ProcessBase>>& out) {
  for (auto& ex : executors_) ex->collect(out);
  {
    std::lock_guard lock(threads_->mutex);
    for (ProcessBase* p : threads_->live) out.push_back(p->shared_from_this());
  }
  std::lock_guard lock(spawned_mutex_);
  out.insert(out.end(), spawned_.begin(), spawned_.end());
}

void Runtime::spawned(std::shared_ptr<ProcessBase> p) {
  std::lock_guard lock(spawned_mutex_);
  if (spawned_.size() >= 64 && spawned_.size() == spawned_.capacity())
    std::erase_if(spawned_, [](const auto& q) { return q->exitcode().has_value(); });
  spawned_.push_back(std::move(p));
}

void Runtime::join_spawned() {
  for (;;) {
    std::vector<std::shared_ptr<ProcessBase>> batch;
    {
      std::lock_guard lock(spawned_mutex_);
      batch.swap(spawned_);
    }
    if (batch.empty()) return;
    for (auto& p : batch) p->join();
  }
}

void Runtime::stop(bool destroy_system) noexcept {
  stop_owners();  // a CAF actor must end before its actor system, or destroying it crashes
  // Processes that keep waking each other never leave an executor's loop on their own.
  for (auto& ex : executors_) ex->stop_soon();
  for (auto& ex : executors_) caf::anon_send_exit(ex->actor(), caf::exit_reason::user_shutdown);
  system_->await_all_actors_done();
  if (trace::on()) {
    trace_blocked(*this);
    trace::record(trace::Kind::stop, nullptr, 0);
    trace::flush();
  }
  for (auto& ex : executors_) ex->abandon();
  // Thread processes cannot be unwound: fail their channel operations and give them a moment.
  std::unique_lock lock(threads_->mutex);
  for (ProcessBase* p : threads_->live) p->terminate();
  threads_->cv.wait_for(lock, std::chrono::seconds(1), [this] { return threads_->live.empty(); });
  lock.unlock();
  timer_.reset();
  if (!destroy_system) return;
  executors_.clear();
  system_.reset();
}

}  // namespace csp::detail

namespace csp {

void Configuration::apply() const {
  detail::Global& g = detail::global();
  std::lock_guard lock(g.mutex);
  if (g.runtime) throw Error("csp::Configuration::apply: the runtime has already started");
  detail::trace::configure(detail::trace::file_for(trace_));
  g.config = *this;
}

void shutdown() {
  if (detail::Executor::current())
    throw Error("csp::shutdown() called from inside a process");
  if (detail::Runtime* r = detail::global().current.load()) r->join_spawned();
  detail::stop_runtime();
}

}  // namespace csp
