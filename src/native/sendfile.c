/*
 * sendfile(2) for node: copies a byte range of a file straight from the page cache into a TCP
 * socket, as nginx does with `sendfile on`. Node has no binding for it; without it every byte of
 * a download is read into a JavaScript buffer and written back out, which costs the emulator
 * ≈ 3.5× nginx's CPU per GiB and caps it at ≈ 0.75× nginx's loopback throughput.
 *
 * One call = one job on its own thread (not libuv's pool: a slow client would otherwise hold one
 * of its four threads for the whole download and stall every fs call of the process). The job
 * works on dup()s of both descriptors, so node closing the socket or the file mid-job can never
 * make it write into a descriptor number reused by something else. The socket stays non-blocking
 * (the flag belongs to the shared open file description); on EAGAIN the thread poll()s for
 * POLLOUT in 100 ms slices so cancel() is seen promptly.
 *
 * setSendBuffer() sets SO_SNDBUF, which node has no setter for: it fixes the size of the kernel's
 * send queue for that socket (Linux doubles the figure for its bookkeeping and stops autotuning
 * it), so a server can tell a client that stopped reading by its own queue rather than after the
 * kernel has taken megabytes for it.
 *
 * Before any thread, trySend() sends on the calling thread what the socket takes at once, as
 * nginx does from its event loop: a picture of a few MB often fits the socket buffer whole, and a
 * thread's start-up and hand-back would be most of its transfer time.
 *
 * JS API (src/util/zero-copy.ts wraps it):
 *   trySend(socketFd, fileFd, offset, length) -> [bytesSent, errno] (errno 0: done or socket full)
 *   start(socketFd, fileFd, offset, length, callback(errno, bytesSent)) -> job
 *   cancel(job)
 *   setSendBuffer(socketFd, bytes) -> errno
 * errno is 0 on success, -1 when the file ended before `length` bytes, else a positive errno.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#define FILE_ENDED (-1)
/* Largest count Linux's sendfile moves in one call. */
#define MAX_CHUNK ((size_t)0x7ffff000)

typedef struct {
  int out_fd;
  int in_fd;
  off_t offset;
  size_t remaining;
  size_t sent;
  int error;
  atomic_int cancelled;
  /* Freed when both the thread has reported and the JS job object has been collected. */
  atomic_int refs;
  napi_threadsafe_function done;
} job_t;

static void job_unref(job_t *job) {
  if (atomic_fetch_sub(&job->refs, 1) == 1) free(job);
}

/*
 * Sends until the range is done (returns 0), the socket is full (EAGAIN), the file ends
 * (FILE_ENDED) or an error (its errno). Advances *offset, *remaining and *sent as bytes go.
 */
static int send_until_blocked(int out_fd, int in_fd, off_t *offset, size_t *remaining, size_t *sent) {
  while (*remaining > 0) {
    size_t count = *remaining < MAX_CHUNK ? *remaining : MAX_CHUNK;
    ssize_t n = sendfile(out_fd, in_fd, offset, count);
    if (n > 0) {
      *remaining -= (size_t)n;
      *sent += (size_t)n;
    } else if (n == 0) {
      return FILE_ENDED;
    } else if (errno != EINTR) {
      return errno;
    }
  }
  return 0;
}

static void *run(void *arg) {
  job_t *job = arg;
  while (job->remaining > 0 && !atomic_load(&job->cancelled)) {
    int rc = send_until_blocked(job->out_fd, job->in_fd, &job->offset, &job->remaining, &job->sent);
    if (rc != EAGAIN) {
      job->error = rc;
      break;
    }
    struct pollfd p = {.fd = job->out_fd, .events = POLLOUT, .revents = 0};
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) {
      job->error = errno;
      break;
    }
    if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
      job->error = EPIPE;
      break;
    }
  }
  if (job->error == 0 && job->remaining > 0) job->error = ECANCELED;
  close(job->out_fd);
  close(job->in_fd);
  napi_call_threadsafe_function(job->done, job, napi_tsfn_blocking);
  napi_release_threadsafe_function(job->done, napi_tsfn_release);
  return NULL;
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  job_t *job = data;
  if (env != NULL && callback != NULL) {
    napi_value argv[2], undefined;
    napi_create_int32(env, job->error, &argv[0]);
    napi_create_double(env, (double)job->sent, &argv[1]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 2, argv, NULL);
  }
  job_unref(job);
}

static void finalize_job(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  job_unref(data);
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_CAMCTL_SENDFILE", message);
  return NULL;
}

typedef struct {
  int32_t out_fd;
  int32_t in_fd;
  double offset;
  double length;
} range_args_t;

/* Reads (socketFd, fileFd, offset, length) from argv[0..3]; false (with a JS error thrown) if bad. */
static bool read_range_args(napi_env env, napi_value *argv, range_args_t *a) {
  if (napi_get_value_int32(env, argv[0], &a->out_fd) != napi_ok || napi_get_value_int32(env, argv[1], &a->in_fd) != napi_ok ||
      napi_get_value_double(env, argv[2], &a->offset) != napi_ok || napi_get_value_double(env, argv[3], &a->length) != napi_ok) {
    throw_error(env, "descriptors, offset and length must be numbers");
    return false;
  }
  if (a->out_fd < 0 || a->in_fd < 0 || a->offset < 0 || a->length < 0) {
    throw_error(env, "negative descriptor, offset or length");
    return false;
  }
  return true;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  range_args_t a;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) return throw_error(env, "start(socketFd, fileFd, offset, length, callback)");
  if (!read_range_args(env, argv, &a)) return NULL;

  job_t *job = calloc(1, sizeof(job_t));
  if (job == NULL) return throw_error(env, "out of memory");
  job->out_fd = fcntl(a.out_fd, F_DUPFD_CLOEXEC, 0);
  job->in_fd = fcntl(a.in_fd, F_DUPFD_CLOEXEC, 0);
  if (job->out_fd < 0 || job->in_fd < 0) {
    if (job->out_fd >= 0) close(job->out_fd);
    if (job->in_fd >= 0) close(job->in_fd);
    free(job);
    return throw_error(env, "cannot duplicate the descriptors");
  }
  job->offset = (off_t)a.offset;
  job->remaining = (size_t)a.length;
  atomic_init(&job->cancelled, 0);
  atomic_init(&job->refs, 2);

  napi_value name, handle;
  napi_create_string_utf8(env, "camctl.sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &job->done) != napi_ok ||
      napi_create_external(env, job, finalize_job, NULL, &handle) != napi_ok) {
    close(job->out_fd);
    close(job->in_fd);
    free(job);
    return throw_error(env, "cannot create the job");
  }
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int rc = pthread_create(&thread, &attr, run, job);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    /* The external's finalizer still holds one reference; drop the thread's. */
    close(job->out_fd);
    close(job->in_fd);
    napi_release_threadsafe_function(job->done, napi_tsfn_abort);
    job_unref(job);
    return throw_error(env, "cannot start a thread");
  }
  return handle;
}

/* Non-blocking sends until the socket is full (EAGAIN), the range is done, or an error. */
static napi_value try_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  range_args_t a;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return throw_error(env, "trySend(socketFd, fileFd, offset, length)");
  if (!read_range_args(env, argv, &a)) return NULL;
  off_t offset = (off_t)a.offset;
  size_t remaining = (size_t)a.length;
  size_t sent = 0;
  int error = send_until_blocked(a.out_fd, a.in_fd, &offset, &remaining, &sent);
  if (error == EAGAIN) error = 0;
  napi_value result, item;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, (double)sent, &item);
  napi_set_element(env, result, 0, item);
  napi_create_int32(env, error, &item);
  napi_set_element(env, result, 1, item);
  return result;
}

static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_external(env, argv[0], &data) != napi_ok)
    return throw_error(env, "cancel(job)");
  atomic_store(&((job_t *)data)->cancelled, 1);
  return NULL;
}

static napi_value set_send_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &bytes) != napi_ok || fd < 0 || bytes < 1)
    return throw_error(env, "setSendBuffer(socketFd, bytes)");
  int value = bytes;
  int error = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, sizeof value) == 0 ? 0 : errno;
  napi_value result;
  napi_create_int32(env, error, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"trySend", NULL, try_send, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"cancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
      {"setSendBuffer", NULL, set_send_buffer, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 4, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
