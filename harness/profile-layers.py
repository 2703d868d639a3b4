#!/usr/bin/env python3
"""Where a profiled lbkit spends its CPU, by layer of the stack.

    harness/profile-layers.py <profile.collapsed> [--user-us U --system-us S] [--frame F,G ...]

Reads an async-profiler CPU profile in collapsed form (one "frame;frame;...;leaf count" line per
stack, as `file=<name>.collapsed` writes it; docs/benchmarks.md, "Reproduce") and charges every
sample to one layer:

- kernel: the leaf is a kernel frame (the system calls' own work);
- system-call entry: the leaf is the C library's wrapper of a system call, or the vDSO (HAProxy
  pays these too, for each of its calls);
- JDK sockets and selectors (java.nio, sun.nio), Jetty, Javalin, lbkit: the nearest of these on
  the stack, looking up from the leaf, so a JDK lock or collection is charged to whoever called it;
- JVM threads: samples of the JVM's own threads (JIT compiler, garbage collector, VM thread);
- other: anything else.

With --frame F,G (repeatable), it also gives, per option, the share of the samples outside the
JVM's threads that have F or G on the stack, leaving out the stacks of a socket system call: what
a piece of code costs beside its system calls.

With --user-us and --system-us (the balancer's CPU time per request in user and in system mode,
as ./lbkit bench gives them: "36 (17 + 19)"), each layer is also given in microseconds per request:
the kernel's row is the system time, and the user time is shared among the other layers by their
samples. The JVM's own threads are left out of that: in a steady state they are idle (their CPU
time, read from /proc while wrk runs, is nil), and under the profiler they are not.
"""
import argparse
import collections
import sys

LIBC_SYSCALL_WRAPPERS = {
    "__GI_read",
    "__GI_write",
    "__GI___writev",
    "writev",
    "__libc_read",
    "__libc_write",
    "epoll_wait",
    "__GI_epoll_wait",
    "__GI___libc_read",
    "__GI___libc_write",
    "[vdso]",
}

JAVA_LAYERS = (
    ("org/eclipse/jetty/", "Jetty (HTTP/1 server: parsing, request and response state, writing)"),
    ("io/javalin/", "Javalin"),
    ("dev/lbkit/", "lbkit (checks, balancing, server connections, answer heads)"),
    ("sun/nio/", "JDK sockets and selectors (java.nio, sun.nio)"),
    ("java/nio/", "JDK sockets and selectors (java.nio, sun.nio)"),
)

KERNEL = "kernel (the system calls' work)"
ENTRY = "system-call entry (C library wrappers, vDSO)"
JVM = "JVM threads (JIT compiler, GC, VM thread)"
OTHER = "other Java code (no Jetty, lbkit or JDK I/O frame on the stack)"


def layer_of(frames):
    if frames[-1].endswith("_[k]"):
        return KERNEL
    if frames[-1] in LIBC_SYSCALL_WRAPPERS:
        return ENTRY
    if frames[0] != "java/lang/Thread.run":
        return JVM
    for frame in reversed(frames):
        for prefix, name in JAVA_LAYERS:
            if frame.startswith(prefix):
                return name
    return OTHER


SOCKET_CALLS = (
    "sun/nio/ch/SocketDispatcher.read0",
    "sun/nio/ch/FileDispatcherImpl.write0",
    "sun/nio/ch/FileDispatcherImpl.writev0",
    "sun/nio/ch/EPoll.wait",
)


def frames_row(frames, stack):
    """Whether a --frame row counts this stack: one of its frames on it, and no socket call."""
    return any(f in stack for f in frames) and not any(c in stack for c in SOCKET_CALLS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile", help="an async-profiler CPU profile, collapsed form")
    parser.add_argument("--user-us", type=float, help="the balancer's user CPU µs per request")
    parser.add_argument("--system-us", type=float, help="the balancer's system CPU µs per request")
    parser.add_argument(
        "--frame",
        action="append",
        default=[],
        metavar="F,G",
        help="also give the share of the samples outside the JVM's threads that have one of these "
        "frames (as the profile names them, e.g. dev/lbkit/balancer/proxy/Upstream$Pools.pool) "
        "on the stack, leaving out the stacks of a socket system call; repeatable, one row each",
    )
    args = parser.parse_args()
    if (args.user_us is None) != (args.system_us is None):
        sys.exit("profile-layers: give both --user-us and --system-us, or neither")
    samples = collections.Counter()
    rows = [row.split(",") for row in args.frame]
    in_rows = collections.Counter()
    try:
        with open(args.profile, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                stack, _, count = line.rstrip("\n").rpartition(" ")
                if not stack or not count.isdigit():
                    sys.exit(
                        f"profile-layers: {args.profile}:{number}: not a collapsed stack "
                        "(\"frame;frame;... count\"); profile with async-profiler's "
                        "file=<name>.collapsed"
                    )
                frames = stack.split(";")
                layer = layer_of(frames)
                samples[layer] += int(count)
                if rows and layer != JVM:
                    on_stack = set(frames)
                    for i, row in enumerate(rows):
                        if frames_row(row, on_stack):
                            in_rows[i] += int(count)
    except OSError as e:
        sys.exit(f"profile-layers: cannot read {args.profile}: {e.strerror}")
    total = sum(samples.values())
    if total == 0:
        sys.exit(f"profile-layers: {args.profile} holds no samples")
    jvm = samples.get(JVM, 0)
    steady = total - jvm
    user_mode = steady - samples.get(KERNEL, 0)
    with_us = args.user_us is not None
    print(f"{total} samples in {args.profile}")
    header = "| layer | share of all samples | share without the JVM's threads |"
    if with_us:
        header += " µs per request |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    order = [KERNEL, ENTRY] + list(dict.fromkeys(name for _, name in JAVA_LAYERS)) + [OTHER, JVM]
    for name in order:
        n = samples.get(name, 0)
        if n == 0:
            continue
        row = f"| {name} | {100 * n / total:.1f} % |"
        if name == JVM:
            row += " - |" + (" - |" if with_us else "")
        else:
            row += f" {100 * n / steady:.1f} % |"
            if with_us:
                us = args.system_us if name == KERNEL else args.user_us * n / user_mode
                row += f" {us:.1f} |"
        print(row)
    if rows:
        print()
        print("| frames on the stack (no socket system call) | share without the JVM's threads |")
        print("|---|---|")
        for i, row in enumerate(rows):
            print(f"| {', '.join(row)} | {100 * in_rows[i] / steady:.2f} % |")


if __name__ == "__main__":
    main()
