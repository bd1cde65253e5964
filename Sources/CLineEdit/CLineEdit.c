/*
 * CLineEdit: see include/CLineEdit.h for why each wrapper exists.
 */
#define _GNU_SOURCE
#include "CLineEdit.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- Standard streams ---- */

FILE *jle_stdin(void) { return stdin; }
FILE *jle_stdout(void) { return stdout; }
FILE *jle_stderr(void) { return stderr; }

/* ---- el_set / el_get ---- */

int jle_set_prompt(EditLine *el, jle_prompt_fn fn, char delimiter) {
  return el_set(el, EL_PROMPT_ESC, fn, delimiter);
}

int jle_set_right_prompt(EditLine *el, jle_prompt_fn fn, char delimiter) {
  return el_set(el, EL_RPROMPT_ESC, fn, delimiter);
}

int jle_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }

int jle_set_signal_handling(EditLine *el, int enabled) { return el_set(el, EL_SIGNAL, enabled); }

int jle_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }

int jle_add_function(EditLine *el, const char *name, const char *help, jle_editor_fn fn) {
  return el_set(el, EL_ADDFN, name, help, fn);
}

int jle_bind(EditLine *el, const char *keys, const char *function_name) {
  return el_set(el, EL_BIND, keys, function_name, (const char *)NULL);
}

int jle_set_client_data(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }

void *jle_get_client_data(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
  return data;
}

int jle_get_edit_mode(EditLine *el) {
  int mode = 0;
  if (el_get(el, EL_EDITMODE, &mode) != 0) return 0;
  return mode;
}

/* ---- history() ---- */

int jle_history_set_size(History *h, int size) {
  HistEvent ev;
  return history(h, &ev, H_SETSIZE, size);
}

int jle_history_set_unique(History *h, int unique) {
  HistEvent ev;
  return history(h, &ev, H_SETUNIQUE, unique);
}

int jle_history_enter(History *h, const char *line) {
  HistEvent ev;
  return history(h, &ev, H_ENTER, line);
}

int jle_history_load(History *h, const char *path) {
  HistEvent ev;
  return history(h, &ev, H_LOAD, path);
}

int jle_history_save(History *h, const char *path) {
  HistEvent ev;
  return history(h, &ev, H_SAVE, path);
}

int jle_history_clear(History *h) {
  HistEvent ev;
  return history(h, &ev, H_CLEAR);
}

int jle_history_count(History *h) {
  HistEvent ev;
  if (history(h, &ev, H_GETSIZE) == -1) return 0;
  return ev.num;
}

const char *jle_history_walk(History *h, int first) {
  HistEvent ev;
  int rc = first ? history(h, &ev, H_LAST) : history(h, &ev, H_PREV);
  if (rc == -1) return NULL;
  return ev.str;
}

/* ---- Terminal size ---- */

int jle_terminal_columns(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) == -1) return 0;
  return (int)ws.ws_col;
}

/* ---- SIGINT ---- */

static volatile sig_atomic_t jle_interrupts = 0;
static volatile sig_atomic_t jle_exit_after = 0;
static volatile sig_atomic_t jle_installed = 0;

static void jle_sigint_handler(int signo) {
  (void)signo;
  int saved = errno;
  jle_interrupts = jle_interrupts + 1;
  if (jle_exit_after > 0 && jle_interrupts >= jle_exit_after) {
    static const char msg[] = "\n";
    (void)write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(130);
  }
  errno = saved;
}

int jle_install_sigint_handler(int exit_after) {
  jle_exit_after = exit_after;
  if (jle_installed) return 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = jle_sigint_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* No SA_RESTART: a blocked read must return EINTR. */
  if (sigaction(SIGINT, &sa, NULL) == -1) return -1;
  /* A process started from a thread that blocks signals inherits the mask; make sure this
     thread (the REPL's) receives Ctrl-C. */
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
  jle_installed = 1;
  return 0;
}

int jle_take_interrupt(void) {
  /* An atomic exchange, so a signal landing between the read and the clear is not lost. */
  return __atomic_exchange_n(&jle_interrupts, 0, __ATOMIC_SEQ_CST) != 0;
}

int jle_interrupt_pending(void) { return jle_interrupts != 0; }

void jle_clear_interrupt(void) { __atomic_store_n(&jle_interrupts, 0, __ATOMIC_SEQ_CST); }
