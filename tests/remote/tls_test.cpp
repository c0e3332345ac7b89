// Remote channels and managers over TLS on loopback: thousands of messages from a child process
// (rendezvous and buffered), TLS under the auth key, a remote Manager's dict, and what is refused:
// a plain peer, an unknown CA, a certificate for another host, garbage on the TLS port.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "../framework/test_support.hpp"
#include "certificates.hpp"
#include "child.hpp"
#include "raw_peer.hpp"

using namespace std::chrono_literals;
using remote_test::Child;

namespace {

// One CA with certificates for 127.0.0.1 and for another host name, and an unrelated CA.
struct Pki {
  // OpenSSL starts here, before csp uses it: without its exit handler, as csp would start it.
  bool started = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  remote_test::TempDir dir;
  remote_test::TestCa ca{dir, "trusted"};
  remote_test::TestCa stranger{dir, "stranger"};
  csp::ServeTls loopback = ca.issue("loopback", "IP:127.0.0.1");
  csp::ServeTls elsewhere = ca.issue("elsewhere", "DNS:other.example");
};

const Pki& pki() {
  static const Pki p;
  return p;
}

csp::Connect tls_to(std::uint16_t port, const std::string& ca_file, std::string key = {}) {
  return {"127.0.0.1", port, std::move(key), csp::ConnectTls{ca_file}};
}

std::uint16_t serve_tls(const csp::ServeTls& certificate, std::string key = {}) {
  return csp::serve(0, {.auth_key = std::move(key), .tls = certificate});
}

// The csp::Error a connection to channel "A" at `where` throws (empty if it connects).
std::string refusal(const csp::Connect& where) {
  try {
    csp::Channel<int> c("A", where);
  } catch (const csp::Error& e) {
    return e.what();
  }
  return {};
}

// A rendezvous of one message from a thread through `remote` to the local channel's reader.
void one_across(csp::Channel<int>& local, csp::Channel<int>& remote, int v) {
  auto out = -remote;
  std::thread writer([&] { out(v); });
  EXPECT_EQ((+local)(), v);
  writer.join();
}

TEST(Tls, RendezvousTenThousandFromAChildProcess) {
  // Each message is a round trip of four TLS records, and OpenSSL 3.0 allocates for every record:
  // the asan preset's slow unwinding on malloc makes 10,000 take over a minute.
  constexpr int n = csp_test::sanitized ? 2000 : 10000;
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().loopback);
  Child peer({"write", std::to_string(port), "A", std::to_string(n), pki().ca.ca_file()});
  auto in = +a;
  for (int i = 0; i < n; ++i) ASSERT_EQ(in(), i);  // one writer: in order, none lost
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_EQ(peer.wait(20s), 0);
}

TEST(Tls, BufferedTenThousandFromAChildProcess) {
  csp::Channel<int> b("B", csp::Buffer{64});
  std::uint16_t port = serve_tls(pki().loopback);
  Child peer({"process-write", std::to_string(port), "B", "10000", "0", pki().ca.ca_file()});
  auto in = +b;
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(in(), i);
  EXPECT_THROW(in(), csp::ChannelRetireException);
  EXPECT_EQ(peer.wait(20s), 0);
}

TEST(Tls, LargeMessagesCrossWhole) {
  csp::Channel<std::string> a("A");
  std::uint16_t port = serve_tls(pki().loopback);
  csp::Channel<std::string> r("A", tls_to(port, pki().ca.ca_file()));
  auto out = -r;
  std::thread writer([&] {
    for (char c : {'x', 'y', 'z'}) out(std::string(3 << 20, c));  // many TLS records each
  });
  auto in = +a;
  for (char c : {'x', 'y', 'z'}) EXPECT_EQ(in(), std::string(3 << 20, c));
  writer.join();
}

TEST(Tls, AuthKeyStillChecked) {
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().loopback, "sesame");
  EXPECT_NE(refusal(tls_to(port, pki().ca.ca_file(), "wrong")).find("wrong auth key"), std::string::npos);
  csp::Channel<int> r("A", tls_to(port, pki().ca.ca_file(), "sesame"));
  one_across(a, r, 5);
}

TEST(Tls, RemoteManagerDict) {
  csp::Manager m("tls-inventory");
  m.dict<std::string, int>("stock").set("apples", 3);
  std::uint16_t port = serve_tls(pki().loopback, "secret");
  csp::Manager remote("tls-inventory", tls_to(port, pki().ca.ca_file(), "secret"));
  auto stock = remote.dict<std::string, int>("stock");
  EXPECT_EQ(stock.get("apples"), 3);
  stock.set("pears", 5);
  auto local = m.dict<std::string, int>("stock");
  EXPECT_EQ(local.get("pears"), 5);
}

TEST(Tls, PlainClientIsRefusedAndTheServerGoesOn) {
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().loopback);
  std::string why = refusal(csp::Connect{"127.0.0.1", port});  // waits for the server to give up
  EXPECT_NE(why.find("requiring TLS"), std::string::npos) << why;
  csp::Channel<int> r("A", tls_to(port, pki().ca.ca_file()));
  one_across(a, r, 6);
}

TEST(Tls, TlsClientToAPlainServerIsRefused) {
  csp::Channel<int> a("A");
  std::uint16_t port = csp::serve(0);
  std::string why = refusal(tls_to(port, pki().ca.ca_file()));
  EXPECT_NE(why.find("TLS handshake failed"), std::string::npos) << why;
  csp::Channel<int> r("A", csp::Connect{"127.0.0.1", port});
  one_across(a, r, 7);
}

TEST(Tls, UnknownCaFailsVerification) {
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().loopback);
  std::string why = refusal(tls_to(port, pki().stranger.ca_file()));
  std::string expected = "csp::Connect 127.0.0.1:" + std::to_string(port) +
                         ": TLS handshake failed: certificate verify failed: unable to get local issuer certificate";
  EXPECT_EQ(why, expected);
  csp::Channel<int> r("A", tls_to(port, pki().ca.ca_file()));  // the server goes on
  one_across(a, r, 8);
}

TEST(Tls, CertificateForAnotherHostIsRefused) {
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().elsewhere);
  std::string why = refusal(tls_to(port, pki().ca.ca_file()));
  EXPECT_NE(why.find("certificate verify failed: IP address mismatch"), std::string::npos) << why;
  why = refusal({"localhost", port, {}, csp::ConnectTls{pki().ca.ca_file()}});
  EXPECT_NE(why.find("certificate verify failed: hostname mismatch"), std::string::npos) << why;
}

TEST(Tls, GarbageDropsOnlyItsConnection) {
  csp::Channel<int> a("A");
  std::uint16_t port = serve_tls(pki().loopback);
  csp::Channel<int> good("A", tls_to(port, pki().ca.ca_file()));  // connected before, kept through it
  std::vector<std::uint8_t> garbage(300);
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
  EXPECT_TRUE(remote_test::server_hangs_up_after(port, garbage));
  std::vector<std::uint8_t> record{0x16, 0x03, 0x01, 0x40, 0x00};  // a handshake record, then junk
  record.resize(20000, 0x41);
  EXPECT_TRUE(remote_test::server_hangs_up_after(port, record));
  std::vector<std::uint8_t> frame(17, 0);  // a plain csp frame header
  frame[0] = 13;
  frame[4] = 2;
  EXPECT_TRUE(remote_test::server_hangs_up_after(port, frame));
  one_across(a, good, 9);
  csp::Channel<int> later("A", tls_to(port, pki().ca.ca_file()));
  one_across(a, later, 10);
}

TEST(Tls, UnreadableFilesAreErrors) {
  EXPECT_THROW(csp::serve(0, {.tls = csp::ServeTls{"/nonexistent/chain.pem", "/nonexistent/key.pem"}}), csp::Error);
  EXPECT_THROW(csp::serve(0, {.tls = csp::ServeTls{pki().loopback.certificate_chain_file,
                                                   pki().elsewhere.private_key_file}}),
               csp::Error);  // a key that does not match the certificate
  std::uint16_t port = serve_tls(pki().loopback);
  EXPECT_NE(refusal(tls_to(port, "/nonexistent/ca.pem")).find("CA file"), std::string::npos);
}

}  // namespace
