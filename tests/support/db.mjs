// Reaches into the test server's SQLite file to set up situations a test
// needs (a tiny supply, a passed deadline), the way an organiser would once
// their tools exist. Uses Python's sqlite3 module, which ships with python3.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function sql(server, statement, params = []) {
  const script = `
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
cur = con.execute(sys.argv[2], json.loads(sys.argv[3]))
rows = cur.fetchall()
con.commit()
print(json.dumps(rows))
`;
  const out = execFileSync('python3', ['-c', script, join(server.dir, 'test.sqlite3'), statement, JSON.stringify(params)]);
  return JSON.parse(out.toString());
}
