import { describe, expect, it } from 'vitest';
import { adminInput, USAGE } from './admin-create-args';

describe('admin:create arguments', () => {
  const pw = 'a long enough secret';

  it('takes --email and --name, with the password from elsewhere', () => {
    expect(adminInput(['--email', 'ops@example.com', '--name', ' Olive Ops '], pw)).toEqual({ input: { email: 'ops@example.com', name: 'Olive Ops', password: pw } });
  });

  it('answers usage (exit 2) for missing or unknown flags, the password as a flag included', () => {
    expect(adminInput(['--email', 'ops@example.com'], pw)).toEqual({ code: 2, message: USAGE });
    const asFlag = adminInput(['--email', 'ops@example.com', '--name', 'O', '--password', pw], pw);
    expect(asFlag).toMatchObject({ code: 2 });
    expect('message' in asFlag && asFlag.message).toContain("Unknown option '--password'");
  });

  it('refuses (exit 1) a short password and a bad email, saying why', () => {
    const short = adminInput(['--email', 'ops@example.com', '--name', 'O'], 'short');
    expect(short).toMatchObject({ code: 1 });
    expect('message' in short && short.message).toContain('at least 12 characters');
    const bad = adminInput(['--email', 'not-an-email', '--name', 'O'], pw);
    expect(bad).toMatchObject({ code: 1 });
    expect('message' in bad && bad.message).toMatch(/^Not created: .*email/i);
  });
});
