import { WebSocket as UndiciWebSocket } from 'undici';

// k6's constructor is (url, protocols, params); params (headers, tags, jar) are ignored here.
export class WebSocket extends UndiciWebSocket {
  constructor(url, protocols, _params) {
    super(url, protocols ?? undefined);
  }
}
export default { WebSocket };
