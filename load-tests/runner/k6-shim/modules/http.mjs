import { asyncCall, sample, syncCall } from './bridge.mjs';

function request(method, url, body, params = {}) {
  return { method, url, body: body ?? null, headers: params.headers ?? {}, tags: params.tags ?? {} };
}

function wrap(r, req) {
  sample('http_reqs', 'counter', 1, { ...req.tags, method: req.method, status: String(r.status) });
  sample('http_req_duration', 'trend', r.duration, { ...req.tags, method: req.method, status: String(r.status) });
  return {
    status: r.status,
    body: r.body,
    headers: r.headers,
    timings: { duration: r.duration },
    url: req.url,
    json(selector) {
      const v = JSON.parse(r.body);
      return selector ? selector.split('.').reduce((o, k) => o?.[k], v) : v;
    },
  };
}

function call(method, url, body, params) {
  const req = request(method, url, body, params);
  return wrap(syncCall({ op: 'http', reqs: [req] })[0], req);
}

export function get(url, params) {
  return call('GET', url, null, params);
}
export function post(url, body, params) {
  return call('POST', url, body, params);
}
export function put(url, body, params) {
  return call('PUT', url, body, params);
}
export function del(url, body, params) {
  return call('DELETE', url, body, params);
}
export function batch(list) {
  const reqs = list.map((x) => request(x.method, x.url, x.body, x.params));
  return syncCall({ op: 'http', reqs }).map((r, i) => wrap(r, reqs[i]));
}
export async function asyncRequest(method, url, body, params) {
  const req = request(method, url, body, params);
  const [r] = await asyncCall({ op: 'http', reqs: [req] });
  return wrap(r, req);
}
export default { get, post, put, del, batch, asyncRequest, request: call };
