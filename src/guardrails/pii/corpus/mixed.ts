import { mixed } from './case.js';

export const MIXED_CASES = mixed([
  [
    "Hi, I'm Ada Lovelace (ada@analytical-engine.org, +44 20 7946 0958). Please refund card 4111 1111 1111 1111.",
    ['person_name', 'Ada Lovelace'],
    ['email', 'ada@analytical-engine.org'],
    ['phone', '+44 20 7946 0958'],
    ['credit_card', '4111 1111 1111 1111'],
  ],
  [
    'database:\n  host: 10.20.30.40\n  port: 5432\n  user: app\n  password: "pA55w0rd-9fK2mQ7xL3vZ8"\nopenai:\n  api_key: sk-OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn\n',
    ['ip_address', '10.20.30.40'],
    ['api_key', 'pA55w0rd-9fK2mQ7xL3vZ8'],
    ['api_key', 'sk-OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn'],
  ],
  [
    '2024-01-15T12:30:45.123Z INFO user=mei.chen@example.com ip=2001:db8::42 order=ORD-20240115-0042 latency=12ms',
    ['email', 'mei.chen@example.com'],
    ['ip_address', '2001:db8::42'],
  ],
  [
    'Wire EUR 1,250.00 to IBAN DE89 3704 0044 0532 0130 00 (ref INV-2024-0042); questions to billing@example.de or (415) 555-2671.',
    ['iban', 'DE89 3704 0044 0532 0130 00'],
    ['email', 'billing@example.de'],
    ['phone', '(415) 555-2671'],
  ],
  [
    'Patient: Grace Hopper, SSN 219-09-9999, DOB 1906-12-09, phone 212-555-0143.',
    ['person_name', 'Grace Hopper'],
    ['ssn', '219-09-9999'],
    ['phone', '212-555-0143'],
  ],
  [
    'Error in worker 3 (node v20.11.1, commit 9fceb02d0ae598e95dc970b74767f19372d61af8): connect ECONNREFUSED 10.0.3.17:5432, request 7c9e6679-7425-40de-944b-e07fc1f90ae7 after 1.5s',
    ['ip_address', '10.0.3.17'],
  ],
  [
    'const client = new OpenAI({ apiKey: "sk-OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn", baseURL: "http://127.0.0.1:4000/v1" }); // owner: linus@kernel.example.org',
    ['api_key', 'sk-OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn'],
    ['ip_address', '127.0.0.1'],
    ['email', 'linus@kernel.example.org'],
  ],
  [
    'My Amex is 3782 822463 10005 and my SSN is 536-90-4399, call me on +1-202-555-0143 — Priya Raman',
    ['credit_card', '3782 822463 10005'],
    ['ssn', '536-90-4399'],
    ['phone', '+1-202-555-0143'],
    ['person_name', 'Priya Raman'],
  ],
  [
    '--\nDmitri Volkov | Platform\nM: +7 495 123-45-67 | dmitri.volkov@example.ru',
    ['person_name', 'Dmitri Volkov'],
    ['phone', '+7 495 123-45-67'],
    ['email', 'dmitri.volkov@example.ru'],
  ],
  [
    'Invoice #2024-0042 dated 2024-01-15: 3 x Widget @ $19.99 = $59.97. Pay to GB29 NWBK 6016 1331 9268 19, ref PO-4500012345. Tracking 1Z999AA10123456784.',
    ['iban', 'GB29 NWBK 6016 1331 9268 19'],
  ],
  [
    'curl -H "Authorization: Bearer ghp_4gVJjrsMnTvnRO2qGFq562dfOB1rcavXiOqk" https://api.github.com/user # from 192.0.2.44',
    ['api_key', 'ghp_4gVJjrsMnTvnRO2qGFq562dfOB1rcavXiOqk'],
    ['ip_address', '192.0.2.44'],
  ],
  [
    'Chen (chen.wei@example.cn, 0086 10 1234 5678) shared build 1.4.2 at 09:15 on 2024-03-02; SHA 5d41402abc4b2a76b9719d911017c592.',
    ['person_name', 'Chen'],
    ['email', 'chen.wei@example.cn'],
    ['phone', '0086 10 1234 5678'],
  ],
  [
    'Refund to 5555-5555-5555-4444 approved by Alan Turing; notify alan.t@example.co.uk and log from 172.31.0.9.',
    ['credit_card', '5555-5555-5555-4444'],
    ['person_name', 'Alan Turing'],
    ['email', 'alan.t@example.co.uk'],
    ['ip_address', '172.31.0.9'],
  ],
  [
    '<input name="email" value="li.na@example.com"><input name="phone" value="+86 138 0013 8000">',
    ['email', 'li.na@example.com'],
    ['phone', '+86 138 0013 8000'],
  ],
  [
    '| host | ip | owner |\n|---|---|---|\n| web-1 | 10.2.0.11 | ops@example.com |\n| web-2 | fd00::2:11 | +1 415 555 2671 |',
    ['ip_address', '10.2.0.11'],
    ['email', 'ops@example.com'],
    ['ip_address', 'fd00::2:11'],
    ['phone', '+1 415 555 2671'],
  ],
]);
