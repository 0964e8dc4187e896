#!/usr/bin/env python3
# Copied from ../shared/fixtures/server_to_jsonl.py of the steering repository (the project's oracle for
# what a live server holds, in the export schema). Kept here so tests and Scripts/make_fixtures.py can
# run without ../shared.
"""Read everything a live Redis/Valkey server holds, through its own commands, and print it as JSON Lines
in RDBKit's export schema (one key per line, sorted by db then key bytes). An oracle independent of any
RDB parser: load a dump into a real server, then compare this output with `rdbkit export`.

usage: server_to_jsonl.py PORT [--dbs 16]
Set and hash members are sorted by bytes (servers do not keep their order); zset members come in
score order; list order and stream order are the server's. Expiry is absolute (PEXPIRETIME, Redis 7+;
older servers: now + PTTL, so compare those with a tolerance).

Redis 8.6/8.8 additions (see README.md beside this file for what a server cannot show):
- array (8.8): `"value": [[index, text], ...]` in index order, each element as ARSCAN returns it;
  `"insert_index": N` beside it when ARNEXT is not 0.
- streams: per group `"nacked": [ids]` (8.8 XNACK) in ID order, those pending entries without
  `consumer`; per stream `"idmp": {"duration", "max_size", "iids_added", "iids_duplicates"}` (8.6 IDMP).
- vector sets and other module types: `"type": "module"`, value null.
"""
import base64, json, sys
import redis

def s(b):
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return {'base64': base64.b64encode(b).decode()}

def score(x):
    if x != x: return 'nan'
    if x == float('inf'): return 'inf'
    if x == float('-inf'): return '-inf'
    return x

def sid(b):
    return b.decode()

def stream(c, k):
    def g(d, name):
        return d.get(name, d.get(name.encode()))
    out = {'entries': [{'id': sid(i), 'fields': [[s(f), s(v)] for f, v in fields.items()]}
                       for i, fields in c.xrange(k)]}
    info = c.xinfo_stream(k)
    out['length'] = g(info, 'length')
    out['last_id'] = sid(g(info, 'last-generated-id'))
    if g(info, 'max-deleted-entry-id') is not None:
        out['max_deleted_id'] = sid(g(info, 'max-deleted-entry-id'))
        out['entries_added'] = g(info, 'entries-added')
    groups = []
    for gi in c.xinfo_groups(k):
        name = g(gi, 'name')
        name = name if isinstance(name, bytes) else name.encode()
        grp = {'name': s(name), 'last_delivered_id': sid(g(gi, 'last-delivered-id'))}
        if g(gi, 'entries-read') is not None:
            grp['entries_read'] = g(gi, 'entries-read')
        pend = c.xpending_range(k, name, '-', '+', 1 << 30) if g(gi, 'pending') else []
        grp['pending'] = [dict([('id', sid(p['message_id']))] + ([('consumer', s(p['consumer']))] if p['consumer'] else []) +
                               [('delivery_count', p['times_delivered'])]) for p in pend]
        nacked = [sid(p['message_id']) for p in pend if not p['consumer']]
        if nacked:
            grp['nacked'] = nacked
        cons = []
        for cn in c.xinfo_consumers(k, name):
            cname = g(cn, 'name'); cname = cname if isinstance(cname, bytes) else cname.encode()
            cons.append({'name': s(cname), 'pending': [sid(p['message_id']) for p in pend if p['consumer'] == cname]})
        grp['consumers'] = cons
        groups.append(grp)
    out['groups'] = groups
    if g(info, 'idmp-duration') is not None:
        out['idmp'] = {'duration': g(info, 'idmp-duration'), 'max_size': g(info, 'idmp-maxsize'),
                       'iids_added': g(info, 'iids-added'), 'iids_duplicates': g(info, 'iids-duplicates')}
    return out

def array(c, k):
    info = c.execute_command('ARINFO', k)
    d = info if isinstance(info, dict) else dict(zip(info[::2], info[1::2]))
    n = d.get(b'len', d.get('len'))
    got = c.execute_command('ARSCAN', k, 0, n - 1) if n else []
    if got and not isinstance(got[0], list):  # a flat reply: index, value, index, value, ...
        got = list(zip(got[::2], got[1::2]))
    return [[int(i), s(v)] for i, v in got]

def main():
    port = int(sys.argv[1]); ndb = 16
    if '--dbs' in sys.argv: ndb = int(sys.argv[sys.argv.index('--dbs') + 1])
    for db in range(ndb):
        c = redis.Redis(port=port, db=db)
        for k in sorted(c.scan_iter(count=1000)):
            t = c.type(k).decode()
            if t == 'string': v = s(c.get(k))
            elif t == 'list': v = [s(e) for e in c.lrange(k, 0, -1)]
            elif t == 'set': v = [s(e) for e in sorted(c.smembers(k))]
            elif t == 'zset': v = [[s(m), score(sc)] for m, sc in c.zrange(k, 0, -1, withscores=True)]
            elif t == 'hash':
                h = c.hgetall(k)
                if all(isinstance(s(f), str) for f in h):
                    v = {f.decode(): s(h[f]) for f in sorted(h)}
                else:
                    v = [[s(f), s(h[f])] for f in sorted(h)]
            elif t == 'stream': v = stream(c, k)
            elif t == 'array': v = array(c, k)
            else: v = None
            rec = {'db': db, 'key': s(k), 'type': t if t in ('string', 'list', 'set', 'zset', 'hash', 'stream', 'array') else 'module', 'value': v}
            if t == 'array':
                nxt = c.execute_command('ARNEXT', k)
                if nxt: rec['insert_index'] = nxt
            try:
                e = c.execute_command('PEXPIRETIME', k)
            except redis.ResponseError:
                ttl = c.pttl(k); import time
                e = int(time.time() * 1000) + ttl if ttl >= 0 else -1
            if e >= 0: rec['expire_at_ms'] = e
            if t == 'hash':
                try:
                    fe = c.execute_command('HPEXPIRETIME', k, 'FIELDS', len(h), *sorted(h))
                    fx = {f.decode(errors='replace'): x for f, x in zip(sorted(h), fe) if x >= 0}
                    if fx: rec['field_expire_at_ms'] = fx
                except redis.ResponseError:
                    pass
            print(json.dumps(rec, ensure_ascii=False, sort_keys=True))

main()
