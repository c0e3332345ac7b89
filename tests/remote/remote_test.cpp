// Remote channels over loopback within one OS process (the runtime joins its own served
// channels): alternation guards, poison both ways, wrong types and keys refused, no deadlock
// report while a peer may still come, malformed frames from a raw socket dropped, a peer that
// stops reading, and what csp::shutdown leaves of serving and connections.

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <iterator>
#include <thread>

#include "../framework/test_support.hpp"
#include "messages.hpp"
#include "raw_peer.hpp"
#include "wire.hpp"

using namespace std::chrono_literals;
using remote_test::connection_refused;
using remote_test::server_hangs_up_after;

namespace {

namespace wire = csp::detail::wire;

csp::Connect here(std::uint16_t port, std::string key = {}) { return {"127.0.0.1", port, std::move(key)}; }

TEST(Remote, ReadAndWriteAcrossAConnection) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> r("A", here(port));
  auto out = -r;
  auto in = +a;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) out(i);
    csp::retire(out);
  });
  long sum = 0;
  for (int i = 0; i < 100; ++i) sum += in();
  EXPECT_EQ(sum, 99 * 100 / 2);
  EXPECT_THROW(in(), csp::ChannelRetireException);
  writer.join();
}

TEST(Remote, WriteCompletesOnlyWhenTaken) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> r("A", here(port));
  auto out = -r;
  std::atomic<bool> written{false};
  std::thread writer([&] {
    out(7);
    written = true;
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(written);  // rendezvous: no reader yet
  auto in = +a;
  EXPECT_EQ(in(), 7);
  writer.join();
  EXPECT_TRUE(written);
}

TEST(Remote, WrongMessageTypeNamesBothTypes) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  try {
    csp::Channel<std::string> r("A", here(port));
    FAIL() << "connected with the wrong type";
  } catch (const csp::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'i32'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'string'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(csp::Channel<int>("nothing-here", here(port)), csp::Error);
}

TEST(Remote, AuthKeyIsRequiredAndChecked) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0, {.auth_key = "sesame"});
  EXPECT_THROW(csp::Channel<int>("A", here(port, "wrong")), csp::Error);
  EXPECT_THROW(csp::Channel<int>("A", here(port)), csp::Error);
  csp::Channel<int> r("A", here(port, "sesame"));
  auto out = -r;
  std::thread writer([&] { out(5); });
  EXPECT_EQ((+a)(), 5);
  writer.join();
}

TEST(Remote, PortInUseIsAnError) {
  std::uint16_t port = csp::serve(0);
  EXPECT_THROW(csp::serve(port), csp::Error);
}

TEST(Remote, PoisonCrossesBothWays) {
  csp::Channel<int> a("A"), b("B");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> ra("A", here(port)), rb("B", here(port));
  auto remote_in = +ra;
  std::thread reader([&] { EXPECT_THROW(remote_in(), csp::ChannelPoisonException); });
  std::this_thread::sleep_for(50ms);
  a.poison();  // served side poisons: the remote reader hears it
  reader.join();
  auto remote_out = -rb;
  csp::poison(remote_out);  // remote side poisons: the served channel is poisoned
  auto in = +b;
  EXPECT_THROW(in(), csp::ChannelPoisonException);  // nobody writes: only the poison ends it
}

TEST(Remote, InputAndOutputGuards) {
  csp::Channel<int> a("A"), b("B");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> ra("A", here(port)), rb("B", here(port));
  auto remote_in = +ra;
  auto remote_out = -rb;
  // Nothing to read yet: the timeout wins, and the withdrawn offer loses no message.
  auto r = csp::PriSelect(csp::InputGuard(remote_in), csp::TimeoutGuard(50ms));
  EXPECT_EQ(r.index(), 1u);
  std::thread served([&] {
    auto out = -a;
    auto in = +b;
    out(1);
    EXPECT_EQ(in(), 2);
    out(3);
  });
  auto x = csp::AltSelect(csp::InputGuard(remote_in), csp::TimeoutGuard(5s));
  ASSERT_EQ(x.index(), 0u);
  EXPECT_EQ(x.value<int>(), 1);
  auto y = csp::AltSelect(csp::OutputGuard(remote_out, 2), csp::TimeoutGuard(5s));
  EXPECT_EQ(y.index(), 0u);
  EXPECT_EQ(remote_in(), 3);
  served.join();
}

TEST(Remote, ServedRuntimeDoesNotReportDeadlockWhileWaiting) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  auto in = +a;
  std::thread late([port] {
    std::this_thread::sleep_for(300ms);
    csp::Channel<int> r("A", here(port));
    (-r)(9);
  });
  auto reader = csp::process([](csp::ChannelEndRead<int> in) { return in(); });
  auto [v] = csp::Parallel(reader(in));
  EXPECT_EQ(v, 9);
  late.join();
}

std::vector<std::uint8_t> header(std::uint32_t length, std::uint8_t kind) {
  std::vector<std::uint8_t> b(4 + 13, 0);
  std::memcpy(b.data(), &length, 4);
  b[4] = kind;
  return b;
}

TEST(Remote, MalformedFramesDropOnlyTheirConnection) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> good("A", here(port));  // connected before, and kept through it all
  auto in = +a;
  auto out = -good;

  std::vector<std::uint8_t> garbage(300);
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
  EXPECT_TRUE(server_hangs_up_after(port, garbage));
  EXPECT_TRUE(server_hangs_up_after(port, header(0x80000000u, 2)));  // claims 2 GiB
  EXPECT_TRUE(server_hangs_up_after(port, header(0xFFFFFFFFu, 2)));
  EXPECT_TRUE(server_hangs_up_after(port, header(3, 2)));            // shorter than a header
  std::vector<std::uint8_t> truncated = header(40, 2);
  truncated.resize(10);
  EXPECT_TRUE(server_hangs_up_after(port, truncated));
  EXPECT_TRUE(server_hangs_up_after(port, header(63, 2)));  // says 63, sends 13, then ends
  EXPECT_TRUE(server_hangs_up_after(port, std::vector<std::uint8_t>(100000, 0x41)));  // oversized

  std::thread writer([&] { out(11); });
  EXPECT_EQ(in(), 11);  // the connection made before still works
  writer.join();
  csp::Channel<int> later("A", here(port));  // and new ones are admitted
  auto out2 = -later;
  std::thread writer2([&] { out2(12); });
  EXPECT_EQ(in(), 12);
  writer2.join();
}

}  // namespace

namespace {

// A peer that asks a served object for much and reads nothing, speaking the protocol itself.
// Its kernel buffer is small, so what is sent to it soon waits in the sender's.
class SilentPeer {
 public:
  explicit SilentPeer(std::uint16_t port) : socket_(remote_test::connect_to(port, 64 << 10)) {
    wire::Frame f;
    if (!socket_.receive(f, wire::max_handshake_frame) || f.kind != wire::Kind::hello) throw csp::Error("no hello");
    socket_.send(wire::Kind::auth, 0, 0, wire::prove("", f.tail));
    if (!socket_.receive(f, wire::max_handshake_frame) || f.kind != wire::Kind::welcome)
      throw csp::Error("not admitted");
    socket_.receive_timeout(30);
  }

  /// Uses object `object` of manager `manager`, a H, as `id`.
  template <class H>
  void attach(std::uint32_t id, const std::string& manager, const std::string& object) {
    std::vector<std::byte> tail;
    csp::detail::encode(std::tuple(manager, object, csp::detail::served_type<H>()), tail);
    socket_.send(wire::Kind::attach, id, 0, tail);
    wire::Frame f;
    if (!socket_.receive(f, wire::max_frame) || f.kind != wire::Kind::opened) throw csp::Error("not attached");
  }
  /// Sends request `op` of a H to `id`, as `seq`, and reads nothing.
  template <class H, class Op>
  void ask(std::uint32_t id, std::uint64_t seq, const Op& op) {
    socket_.send(wire::Kind::call, id, seq, csp::detail::encode_request<csp::detail::state_of<H>>(op));
  }
  /// Reads the next frame (30 s at most, then std::system_error).
  bool receive(wire::Frame& f) { return socket_.receive(f, wire::max_frame); }

 private:
  wire::Socket socket_;
};

TEST(RemoteObject, APeerThatStopsReadingHoldsUpNoOneAndIsDroppedFarBehind) {
  using BigValue = csp::Value<std::string>;
  using IntValue = csp::Value<int>;
  using BigState = csp::detail::state_of<BigValue>;
  using IntState = csp::detail::state_of<IntValue>;
  constexpr std::size_t big = 4 << 20;  // an answer: about what the kernel buffers for the peer
  csp::Manager served("stuck");
  served.value<std::string>("big", std::string(big, 'x'));
  IntValue mark = served.value<int>("mark", 0);
  std::uint16_t port = csp::serve(0, {.peer_patience = 1s});
  IntValue others = csp::Manager("stuck", here(port)).value<int>("mark");

  SilentPeer peer(port);
  peer.attach<BigValue>(1, "stuck", "big");
  peer.attach<IntValue>(2, "stuck", "mark");
  // Its answers wait for it while one owner serves everyone: the mark set after them is seen
  // from another connection, also while they wait.
  constexpr std::uint64_t waiting = 3;
  for (std::uint64_t seq = 1; seq <= waiting; ++seq) peer.ask<BigValue>(1, seq, BigState::Get{});
  peer.ask<IntValue>(2, waiting + 1, IntState::Set{1});
  auto seen = std::async(std::launch::async,
                         [&] { return csp_test::eventually([&] { return others.get() == 1; }, 30s); });
  ASSERT_EQ(seen.wait_for(40s), std::future_status::ready);
  EXPECT_TRUE(seen.get());
  // Read late, they are whole and in order.
  wire::Frame f;
  for (std::uint64_t seq = 1; seq <= waiting + 1; ++seq) {
    ASSERT_TRUE(peer.receive(f));
    EXPECT_EQ(f.kind, wire::Kind::answer);
    EXPECT_EQ(f.seq, seq);
    if (seq <= waiting) {
      EXPECT_EQ(csp::detail::decode<std::string>(f.tail).size(), big);
    }
  }

  // Beyond max_backlog its senders wait for it, and once it has taken nothing for its patience
  // it is dropped: it reads what left before, then the end.
  constexpr std::uint64_t asked = wire::max_backlog / big + 4;
  for (std::uint64_t seq = 1; seq <= asked; ++seq) peer.ask<BigValue>(1, waiting + 1 + seq, BigState::Get{});
  peer.ask<IntValue>(2, waiting + asked + 2, IntState::Set{2});
  EXPECT_TRUE(csp_test::eventually([&] { return mark.get() == 2; }, 30s));
  std::uint64_t answers = 0;
  try {
    while (peer.receive(f)) ++answers;
  } catch (const wire::ProtocolError&) {  // the end came inside a frame
  }
  EXPECT_LT(answers, asked);
  EXPECT_EQ(others.get(), 2);  // everyone else is still served
}

std::ptrdiff_t threads_now() {
  auto tasks = std::filesystem::directory_iterator("/proc/self/task");
  return std::distance(begin(tasks), end(tasks));
}

/// Waits (5 s at most) until no more threads run than `limit`; the number running then.
std::ptrdiff_t threads_down_to(std::ptrdiff_t limit) {
  auto until = std::chrono::steady_clock::now() + 5s;
  while (threads_now() > limit && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
  return threads_now();
}

TEST(Remote, ShutdownEndsServingAndConnectionsAndServingStartsAgain) {
  std::thread([] {}).join();  // a sanitizer's own thread starts with the first other thread
  std::ptrdiff_t before = threads_now();  // no runtime yet: the test's own threads
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  csp::Channel<int> r("A", here(port));
  auto out = -a;
  auto in = +r;
  std::promise<void> first;
  auto reading = std::async(std::launch::async, [&] {
    in();
    first.set_value();
    try {
      in();  // pending at the server when it stops, or made after
    } catch (const csp::ChannelPoisonException&) {
      return true;
    }
    return false;
  });
  out(1);
  // Received before the stop: the stop ends this runtime's own links too, and with them a value
  // still on its way to a reader here, as this OS process's death would.
  ASSERT_EQ(first.get_future().wait_for(5s), std::future_status::ready);
  csp::shutdown();
  ASSERT_EQ(reading.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(reading.get());
  EXPECT_LE(threads_down_to(before), before);  // before anything starts a runtime again
  EXPECT_THROW(in(), csp::ChannelPoisonException);  // the handle kept across the shutdown
  EXPECT_TRUE(connection_refused(port));
  EXPECT_THROW(csp::Channel<int>("A", here(port)), csp::Error);

  csp::Channel<int> b("B");
  std::uint16_t again = csp::serve(0);
  csp::Channel<int> rb("B", here(again));
  auto out_b = -rb;
  auto writing = std::async(std::launch::async, [&] { out_b(7); });
  EXPECT_EQ((+b)(), 7);
  EXPECT_EQ(writing.wait_for(5s), std::future_status::ready);
}

}  // namespace
