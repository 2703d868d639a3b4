"""Reference models of HAProxy's server choice, per line (2.6 / 3.0 / 3.2 / 3.4), written for lbkit
from what was measured on each line (docs/versions.md), independently of the Java code. Used to
check every measured sequence and to produce the vectors LeastConn32Test pins. Pure Python, no deps.
All arithmetic is unsigned 32-bit unless noted."""
import bisect, zlib

M = 0xFFFFFFFF
EWGHT_MAX = 4096      # SRV_EWGHT_MAX / SRV_EWGHT_RANGE
UWGHT_RANGE = 256
SCALE = 16            # BE_WEIGHT_SCALE


def full_hash(a):
    a &= M
    a = (a + 0x7ed55d16 + (a << 12)) & M
    a = (a ^ 0xc761c23c ^ (a >> 19)) & M
    a = (a + 0x165667b1 + (a << 5)) & M
    a = ((a + 0xd3a2646c) ^ (a << 9)) & M
    a = (a + 0xfd7046c5 + (a << 3)) & M
    a = (a ^ 0xb55a4f09 ^ (a >> 16)) & M
    return (a * 3221225473) & M


def sdbm(b):
    h = 0
    for c in b:
        h = (c + (h << 6) + (h << 16) - h) & M
    return h


def djb2(b):
    h = 5381
    for c in b:
        h = (h * 33 + c) & M
    return h


def crc32(b):
    return zlib.crc32(b) & M


def xorshift32(x):
    x ^= (x << 13) & M
    x ^= x >> 17
    x ^= (x << 5) & M
    return x & M


def prng_range(x, n):
    """statistical_prng_range(n) applied to an already drawn value x: floor(x * n / 2^32)."""
    return (x * n) >> 32


class Prng:
    """HAProxy's per-thread statistical PRNG (xorshift32)."""
    INIT = 2463534242

    def __init__(self, state=INIT):
        self.state = state & M

    def next(self):
        self.state = xorshift32(self.state)
        return self.state

    def range(self, n):
        return prng_range(self.next(), n)


def xxh32(data, seed=0):
    P1, P2, P3, P4, P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & M
    n = len(data); i = 0
    if n >= 16:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed & M, (seed - P1) & M]
        while i + 16 <= n:
            for k in range(4):
                w = int.from_bytes(data[i:i + 4], "little"); i += 4
                v[k] = (rotl((v[k] + w * P2) & M, 13) * P1) & M
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 4 <= n:
        h = (rotl((h + int.from_bytes(data[i:i + 4], "little") * P3) & M, 17) * P4) & M; i += 4
    while i < n:
        h = (rotl((h + data[i] * P5) & M, 11) * P1) & M; i += 1
    h ^= h >> 15; h = (h * P2) & M; h ^= h >> 13; h = (h * P3) & M; h ^= h >> 16
    return h


class EB:
    """An eb32 tree as HAProxy uses it: ascending unsigned key, equal keys in insertion order."""

    def __init__(self):
        self.items = []  # sorted list of (key, seq, obj)
        self.seq = 0

    def insert(self, key, obj):
        self.seq += 1
        node = (key & M, self.seq, obj)
        bisect.insort(self.items, node, key=lambda t: (t[0], t[1]))
        return node

    def delete(self, node):
        i = bisect.bisect_left(self.items, (node[0], node[1]), key=lambda t: (t[0], t[1]))
        assert self.items[i] is node
        del self.items[i]

    def first(self):
        return self.items[0] if self.items else None

    def __len__(self):
        return len(self.items)


# ------------------------------------------------------------------------------------------------
# consistent-hash ring keys per line (section "consistent hashing" of the spec)

def server_key(line, puid, hash_key="id", addr=None, port=None, guid=None):
    """Base key of a server; ring point i gets node_key(line, base, i)."""
    if line == "2.6":
        return puid * EWGHT_MAX
    if hash_key in ("addr", "addr-port") and addr is not None:
        a = addr.split(".")
        s_addr_le = int(a[0]) | int(a[1]) << 8 | int(a[2]) << 16 | int(a[3]) << 24  # in_addr read as a host (LE) u32
        k = full_hash(port) if hash_key == "addr-port" else 0
        return full_hash((k + s_addr_le) & M)
    if hash_key == "guid" and line == "3.4" and guid:
        return xxh32(guid.encode(), 0)
    if hash_key == "id32" and line == "3.4":
        be = int.from_bytes(puid.to_bytes(4, "big"), "little")
        return full_hash(be)
    if line == "3.0":
        return full_hash(puid)          # 3.0.0 .. 3.0.11 (fixed upstream in 3.3-dev10, backported later)
    return (puid * EWGHT_MAX) & M       # 3.2.26, 3.4.7: the 2.6 keys again


def node_key(line, base, i):
    return full_hash((base + i) & M)


class Ring:
    def __init__(self, line, servers, hash_key="id"):
        """servers: list of dicts name, puid, weight, addr, port, hash_key(optional)."""
        self.line = line
        self.servers = servers
        self.up = {s["name"]: True for s in servers}
        self.rebuild()

    def rebuild(self):
        pts = []
        seq = 0
        for s in self.servers:
            if not self.up[s["name"]] or s["weight"] == 0:
                continue
            base = server_key(self.line, s["puid"], s.get("hash_key", "id"), s.get("addr"), s.get("port"), s.get("guid"))
            for i in range(s["weight"] * SCALE):
                seq += 1
                pts.append((node_key(self.line, base, i), seq, s["name"]))
        pts.sort()
        self.pts = pts
        self.keys = [p[0] for p in pts]

    def lookup(self, h):
        n = len(self.pts)
        j = bisect.bisect_left(self.keys, h)
        nxt = j if j < n else 0
        prv = nxt - 1 if nxt > 0 else n - 1
        dp = (h - self.keys[prv]) & M
        dn = (self.keys[nxt] - h) & M
        return self.pts[prv][2] if dp <= dn else self.pts[nxt][2]


# ------------------------------------------------------------------------------------------------
# map-based (static-rr and hash-type map-based)

def build_map(servers, usable, gcd_all):
    """servers: list of (name, uweight); usable: set of names; eweight = uweight / GCD of all."""
    ew = [(n, w // gcd_all) for n, w in servers if n in usable and w > 0]
    T = sum(w for _, w in ew)
    if T == 0:
        return []
    if T == 1:
        return [ew[0][0]]
    score = {n: 0 for n, _ in ew}
    out = []
    for _ in range(T):
        best = None; bestv = -1
        for n, w in ew:
            score[n] += w
            v = ((score[n] + T) & M) // T
            if v > bestv:
                best, bestv = n, v
        out.append(best)
        score[best] -= T
    return out


# ------------------------------------------------------------------------------------------------
# roundrobin (FWRR). line "2.6"/"3.0" = the original weight-change rule, "3.2"/"3.4" = the new one.

class FWRR:
    def __init__(self, line, servers):
        """servers: list of (name, uweight) in declaration order."""
        self.line = line
        self.order = [n for n, _ in servers]
        self.E = {n: w * SCALE for n, w in servers}
        self.up = {n: w > 0 for n, w in servers}
        self.npos = {n: 0 for n in self.order}
        self.lpos = {n: 0 for n in self.order}
        self.rweight = {n: 0 for n in self.order}
        self.tree = {n: None for n in self.order}   # 'curr', 't0', 't1' or None
        self.node = {n: None for n in self.order}
        self.trees = {"curr": EB(), "t0": EB(), "t1": EB()}
        self.init, self.next = "t0", "t1"
        W = sum(self.E[n] for n in self.order if self.up[n])
        self.curr_pos = self.curr_weight = self.next_weight = W
        for n in self.order:
            if self.up[n]:
                self._by_weight(self.init, n)

    def _by_weight(self, t, n):
        self.node[n] = self.trees[t].insert(EWGHT_MAX - self.E[n], n)
        self.tree[n] = t

    def _dequeue(self, n):
        if self.node[n] is not None:
            self.trees[self.tree[n]].delete(self.node[n])
            self.node[n] = None

    def _queue(self, n):
        if not self.up[n]:
            self.tree[n] = None
            return
        E = self.E[n]
        if E <= 0 or self.npos[n] >= 2 * self.curr_weight or self.npos[n] >= self.curr_weight + self.next_weight:
            self.npos[n] = (self.npos[n] - self.curr_weight) & M
            self._by_weight(self.next, n)
        else:
            key = UWGHT_RANGE * self.npos[n] + (EWGHT_MAX + self.rweight[n] - E) // SCALE
            self.node[n] = self.trees["curr"].insert(key, n)
            self.tree[n] = "curr"

    def _get_srv(self, n):
        t = self.tree[n]
        if t == self.init:
            self.npos[n] = self.rweight[n] = 0
        elif t == self.next:
            self.npos[n] += self.curr_weight
        elif t is None:
            self.npos[n] = self.curr_pos

    def _from_group(self):
        f = self.trees["curr"].first()
        s1 = None
        if f:
            s1 = f[2]
            if self.E[s1] and self.npos[s1] <= self.curr_pos:
                return s1
        f2 = self.trees[self.init].first()
        if f2:
            s2 = f2[2]
            if self.E[s2]:
                self.npos[s2] = self.rweight[s2] = 0
                return s2
        return s1

    def pick(self):
        if not any(self.up.values()):
            return None
        if not self.curr_weight:
            self.curr_pos = self.curr_weight = self.next_weight
        switched = False
        while True:
            s = self._from_group()
            if s:
                break
            if switched:
                return None
            switched = True
            self.init, self.next = self.next, self.init
            self.curr_weight = self.next_weight
            self.curr_pos = self.curr_weight
        E = self.E[s]
        if not self.npos[s]:
            self.npos[s] = self.curr_pos
        self.lpos[s] = self.npos[s]
        self.npos[s] += self.next_weight // E
        self.rweight[s] += self.next_weight % E
        if self.rweight[s] >= E:
            self.rweight[s] -= E
            self.npos[s] += 1
        self._dequeue(s)
        self.curr_pos += 1
        self._queue(s)
        return s

    def down(self, n):
        if not self.up[n]:
            return
        self.next_weight -= self.E[n]
        self._dequeue(n)
        self.up[n] = False
        self.tree[n] = None

    def up_(self, n):
        if self.up[n] or self.E[n] == 0:     # already up, or weight 0 keeps it out
            return
        self.next_weight += self.E[n]
        self.up[n] = True
        self._get_srv(n)
        self.npos[n] = self.curr_pos + (self.next_weight + self.curr_weight - self.curr_pos) // self.E[n]
        self._queue(n)

    def set_weight(self, n, uw):
        newE = uw * SCALE
        oldE = self.E[n]
        if not self.up[n] and newE == 0:
            self.E[n] = 0
            return
        if oldE == 0 and newE > 0:      # was unusable because of weight 0: the "up" path
            self.E[n] = newE
            self.up_(n)
            return
        if newE == 0:                   # the "down" path (the server stays out while its weight is 0)
            self.down(n)
            self.E[n] = 0
            return
        self.next_weight = self.next_weight - oldE + newE
        self.E[n] = newE
        if self.line in ("3.2", "3.4"):
            # 3.2+: the per-thread-group rework left this test on a field roundrobin no longer
            # sets, so a running server always takes the "was down" branch.
            self._dequeue(n)
            self._get_srv(n)
            self.npos[n] = self.curr_pos + (self.next_weight + self.curr_weight - self.curr_pos) // newE
            self._queue(n)
            return
        if self.tree[n] == self.init:
            self._dequeue(n)
            self._by_weight(self.init, n)
        elif self.tree[n] is None:
            self._dequeue(n)
            self._get_srv(n)
            self.npos[n] = self.curr_pos + (self.next_weight + self.curr_weight - self.curr_pos) // newE
            self._queue(n)
        else:
            self._get_srv(n)
            prev_next = self.npos[n]
            step = self.next_weight // newE
            self.npos[n] = self.lpos[n] + step
            self.rweight[n] = 0
            if self.npos[n] > prev_next:
                self.npos[n] = prev_next
            if self.npos[n] < self.curr_pos + 2:
                self.npos[n] = self.curr_pos + step
            self._dequeue(n)
            self._queue(n)


# ------------------------------------------------------------------------------------------------
# leastconn

class FWLC26:
    """2.6 / 3.0: one eb32 tree, key 0 when idle else (n+1)*4096//E; reinserted only on key change."""

    def __init__(self, servers):
        self.order = [n for n, _ in servers]
        self.E = {n: w * SCALE for n, w in servers}
        self.n = {x: 0 for x in self.order}
        self.up = {x: True for x in self.order}
        self.t = EB()
        self.node = {}
        for x in self.order:
            self.node[x] = self.t.insert(0, x)

    def key(self, x):
        return 0 if self.n[x] == 0 else (self.n[x] + 1) * EWGHT_MAX // self.E[x]

    def _repos(self, x):
        if not self.up[x]:
            return
        k = self.key(x)
        if self.node[x][0] != k:
            self.t.delete(self.node[x])
            self.node[x] = self.t.insert(k, x)

    def pick(self):
        f = self.t.first()
        if not f:
            return None
        x = f[2]
        self.n[x] += 1
        self._repos(x)
        return x

    def release(self, x):
        self.n[x] -= 1
        self._repos(x)

    def down(self, x):
        if self.up[x]:
            self.t.delete(self.node[x]); self.up[x] = False

    def up_(self, x):
        if not self.up[x]:
            self.up[x] = True
            self.node[x] = self.t.insert(self.key(x), x)

    def set_weight(self, x, uw):
        self.E[x] = uw * SCALE
        if self.up[x]:
            self.t.delete(self.node[x])
            self.node[x] = self.t.insert(self.key(x), x)


class FWLC32:
    """3.2+ leastconn: a tree of key elements, each holding 4 FIFO lists; list choices come from
    the thread's xorshift PRNG. init_prng is the parse-time PRNG (fixed seed), prng the run one.
    `smallest` mirrors the key HAProxy starts its lookups from."""
    LISTS = 4

    def __init__(self, servers, prng, init_prng=None):
        self.order = [n for n, _ in servers]
        self.E = {n: w * SCALE for n, w in servers}
        self.n = {x: 0 for x in self.order}
        self.up = {x: True for x in self.order}
        self.prng = prng
        self.elts = {}            # key -> [list0..list3]; an emptied element stays in the tree
        self.where = {}           # server -> (key, list index)
        self.smallest = 0
        ip = init_prng or Prng()
        for x in self.order:
            self._queue(x, ip)

    def key(self, x):
        return 0 if self.n[x] == 0 else (self.n[x] + 1) * EWGHT_MAX // self.E[x]

    def _append(self, x, k, li):
        self.elts.setdefault(k, [[] for _ in range(self.LISTS)])[li].append(x)
        self.where[x] = (k, li)

    def _queue(self, x, prng):              # fwlc_queue_srv
        k = self.key(x)
        self._append(x, k, prng.range(self.LISTS))
        if self.smallest > k:
            self.smallest = k

    def _dequeue(self, x):                  # fwlc_dequeue_srv: the last server out deletes the element
        k, li = self.where.pop(x)
        self.elts[k][li].remove(x)
        if not any(self.elts[k]):
            if self.smallest == k:
                self.smallest = 0
            del self.elts[k]

    def _repos(self, x):                    # fwlc_srv_reposition: an emptied element is kept
        if not self.up[x] or x not in self.where:
            return
        k = self.key(x)
        if self.where[x][0] == k:
            return
        if k not in self.elts:
            self.elts[k] = [[] for _ in range(self.LISTS)]
        self.smallest = min(self.smallest, k)
        ok, oli = self.where.pop(x)
        self.elts[ok][oli].remove(x)
        self._append(x, k, self.prng.range(self.LISTS))

    def pick(self):
        keys = sorted(k for k in self.elts if k >= self.smallest)
        for j, k in enumerate(keys):
            lists = self.elts[k]
            orig = self.prng.range(self.LISTS)     # drawn for every element visited, even an empty one
            for i in range(self.LISTS):
                l = lists[(orig + i) % self.LISTS]
                if l:
                    x = l[0]
                    self.n[x] += 1
                    self._repos(x)
                    return x
            if j + 1 < len(keys) and keys[j + 1] > self.smallest:
                self.smallest = keys[j + 1]
        return None

    def release(self, x):
        self.n[x] -= 1
        self._repos(x)

    def down(self, x):
        if self.up[x]:
            self._dequeue(x); self.up[x] = False

    def up_(self, x):
        if not self.up[x]:
            self.up[x] = True
            self._queue(x, self.prng)

    def set_weight(self, x, uw):
        self.E[x] = uw * SCALE
        if self.up[x]:
            self._dequeue(x)
            self._queue(x, self.prng)


def wt6(b):
    h0, h1, s0, s1 = 0xa53c965a, 0x5ca6953a, 6, 18
    rotl = lambda x, r: ((x << r) | (x >> ((32 - r) & 31))) & M if r % 32 else x
    for t in b:
        h0 = ~(h0 ^ t) & M
        h1 = ~(h1 + t) & M
        t2 = ((h1 << s0) | (h1 >> (32 - s0))) & M
        h1 = ((h0 << s1) | (h0 >> (32 - s1))) & M
        h0 = t2
        t3 = ((h0 >> 16) ^ h1) & 0xffff
        s0, s1 = t3 & 31, t3 >> 11
    return (h0 ^ h1) & M
