#include "internal/spawner_thread.h"

#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

struct Spawner {
  std::mutex call_mu;  // one job at a time
  std::mutex mu;
  std::condition_variable cv;
  absl::FunctionRef<void()>* job = nullptr;
  bool done = false;

  void Loop() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [this] { return job != nullptr && !done; });
      (*job)();
      done = true;
      cv.notify_all();
    }
  }
};

std::mutex instance_mu;
Spawner* instance = nullptr;
pid_t instance_pid = 0;

absl::StatusOr<Spawner*> Instance() {
  std::lock_guard<std::mutex> lock(instance_mu);
  if (instance == nullptr || instance_pid != ::getpid()) {
    // In a forked child the thread is gone and the old state may hold locked
    // mutexes: leave it and start over.
    auto* fresh = new Spawner();
    try {
      std::thread([fresh] { fresh->Loop(); }).detach();
    } catch (const std::system_error& e) {
      delete fresh;
      return ErrnoError(e.code().value(), "start the spawner thread");
    }
    instance = fresh;
    instance_pid = ::getpid();
  }
  return instance;
}

}  // namespace

absl::Status RunOnSpawnerThread(absl::FunctionRef<void()> job) {
  LINUXNS_ASSIGN_OR_RETURN(Spawner * spawner, Instance());
  std::lock_guard<std::mutex> call(spawner->call_mu);
  std::unique_lock<std::mutex> lock(spawner->mu);
  spawner->job = &job;
  spawner->done = false;
  spawner->cv.notify_all();
  spawner->cv.wait(lock, [spawner] { return spawner->done; });
  spawner->job = nullptr;
  return absl::OkStatus();
}

}  // namespace linuxns::internal
