#include "SignalShield.hpp"

#include <csignal>
#include <cstring>
#include <initializer_list>

#include <pthread.h>

namespace meridian::model {
namespace {

static_assert(sizeof(sigset_t) <= 128, "AsyncSignalsBlocked::saved_ too small for sigset_t");

sigset_t asyncSignals() {
  sigset_t set;
  sigfillset(&set);
  for (int synchronous : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&set, synchronous);
  return set;
}

}  // namespace

AsyncSignalsBlocked::AsyncSignalsBlocked() {
  const sigset_t block = asyncSignals();
  sigset_t old;
  if (pthread_sigmask(SIG_BLOCK, &block, &old) == 0) {
    std::memcpy(saved_, &old, sizeof old);
    restore_ = true;
  }
}

AsyncSignalsBlocked::~AsyncSignalsBlocked() {
  if (!restore_) return;
  sigset_t old;
  std::memcpy(&old, saved_, sizeof old);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void blockAsyncSignalsOnThisThread() {
  const sigset_t block = asyncSignals();
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
}

}  // namespace meridian::model
