#include "kernels/cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PTSCOPE_PAUSE() _mm_pause()
#else
#define PTSCOPE_PAUSE() ((void)0)
#endif

namespace ptscope::kernels {
namespace {

thread_local bool t_in_region = false;
std::atomic<bool> g_force_parallel{false};

// One parallel_for call. Workers hold a shared_ptr to it, so a worker that
// wakes after the job finished only finds no chunk left and never touches a
// later job's state.
struct Job {
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int chunks = 0;
  std::atomic<int> next{0};
  std::atomic<int> pending{0};
  std::mutex error_mu;
  std::exception_ptr error;

  // Runs chunks until none is left; returns true when it finished the last one.
  bool run() {
    bool finished_last = false;
    for (int i; (i = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
      const int64_t begin = n * i / chunks, end = n * (i + 1) / chunks;
      try {
        (*fn)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
      }
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) finished_last = true;
    }
    return finished_last;
  }
};

class Pool {
 public:
  Pool() { resize(int(std::max(1u, std::thread::hardware_concurrency()))); }
  ~Pool() { stop_workers(); }

  int threads() const { return threads_; }

  void resize(int n) {
    std::lock_guard<std::mutex> run_lock(run_mu_);
    if (n == threads_) return;
    stop_workers();
    threads_ = n;
    stop_ = false;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void run(int64_t n, int chunks, const std::function<void(int64_t, int64_t)>& fn) {
    // A second caller (another executor thread) runs inline instead of queueing.
    std::unique_lock<std::mutex> run_lock(run_mu_, std::try_to_lock);
    if (!run_lock.owns_lock()) return inline_run(n, fn);
    auto job = std::make_shared<Job>();
    job->fn = &fn;
    job->n = n;
    job->chunks = chunks;
    job->pending.store(chunks);
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    work_cv_.notify_all();
    t_in_region = true;
    job->run();
    t_in_region = false;
    // The workers are usually a few microseconds behind: spin briefly first
    // (short: on a loaded machine a descheduled worker should not cost a core).
    for (int spin = 0; spin < 2000 && job->pending.load(std::memory_order_acquire) > 0; ++spin) PTSCOPE_PAUSE();
    if (job->pending.load(std::memory_order_acquire) > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [&] { return job->pending.load(std::memory_order_acquire) == 0; });
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_.reset();
    }
    if (job->error) std::rethrow_exception(job->error);
  }

  static void inline_run(int64_t n, const std::function<void(int64_t, int64_t)>& fn) { fn(0, n); }

 private:
  void worker_loop() {
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      // Spin a little before sleeping: kernels come in quick succession.
      for (int spin = 0; spin < 2000 && generation_.load(std::memory_order_acquire) == seen; ++spin) PTSCOPE_PAUSE();
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
        if (stop_) return;
        seen = generation_.load(std::memory_order_acquire);
        job = job_;
      }
      if (!job) continue;
      t_in_region = true;
      const bool last = job->run();
      t_in_region = false;
      if (last) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_all();
      }
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int threads_ = 0;
  std::vector<std::thread> workers_;
  std::mutex run_mu_;  // one parallel_for (or resize) at a time
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::atomic<uint64_t> generation_{0};
  std::shared_ptr<Job> job_;
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_num_threads(int n) {
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  pool().resize(n);
}

int num_threads() { return pool().threads(); }

bool in_parallel_region() { return t_in_region; }

void force_parallel_for_testing(bool on) { g_force_parallel.store(on); }

int threads_for(double work, double min_work_per_thread) {
  if (t_in_region) return 1;
  const int t = num_threads();
  if (g_force_parallel.load(std::memory_order_relaxed)) return work > 0 ? t : 1;
  if (t <= 1 || work < 2 * min_work_per_thread) return 1;
  return int(std::min<double>(t, work / min_work_per_thread));
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_chunks = (n + grain - 1) / grain;
  const int chunks = int(std::min<int64_t>(t_in_region ? 1 : num_threads(), max_chunks));
  if (chunks <= 1) return fn(0, n);
  pool().run(n, chunks, fn);
}

}  // namespace ptscope::kernels
