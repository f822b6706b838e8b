"""Fills a shop's SQLite database for the feed benchmarks: ACTIONS actions by ACTORS makers, and the
account `reader` following FOLLOWED of them, with the counts the server would keep.
    python3 scripts/bench-feed-data.py DATABASE ACTIONS ACTORS FOLLOWED"""
import random
import sqlite3
import sys

path, actions, actors, followed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db = sqlite3.connect(path)
random.seed(1)
names = ["maker%05d" % i for i in range(actors)]
db.execute("BEGIN")
db.executemany("INSERT INTO actions (actor, verb, target_kind, target_key, created_at) VALUES (?, ?, 'product', ?, ?)",
               ((random.choice(names), random.choice(("likes", "published")), "SKU-%d" % random.randrange(10000), 1_700_000_000 + i)
                for i in range(actions)))
chosen = random.sample(names, followed)
db.executemany("INSERT INTO follows (follower, followed, created_at) VALUES ('reader', ?, 0)", ((n,) for n in chosen))
db.executemany("INSERT INTO follow_counts (username, followers) VALUES (?, 1)", ((n,) for n in chosen))
db.execute("INSERT INTO follow_counts (username, following) VALUES ('reader', ?)", (followed,))
db.commit()
db.execute("ANALYZE")
db.close()
