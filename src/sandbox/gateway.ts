import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type {
  GatewayGuildCreateDispatchData,
  GatewayGuildMembersChunkDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { EVENT_INTENTS, Intents, PRIVILEGED_INTENTS } from './gateway-intents.ts';
import { eventGuild, receives, refuseShard } from './sharding.ts';

/** What the gateway needs from the sandbox's state. */
export interface GatewayHost {
  token: string;
  botUserId: string;
  resumeUrl(): string;
  readyData(sessionId: string, shard: [number, number]): GatewayReadyDispatchData;
  /** The ids of every server the bot is in. */
  guildIds(): string[];
  /** The full guild for GUILD_CREATE. */
  guildCreateData(guildId: string): GatewayGuildCreateDispatchData;
  /** A shard holding more guilds than this is closed with 4011 Sharding required. */
  maxGuildsPerShard: number;
  /** GUILD_MEMBERS_CHUNK data for an op 8 request. */
  membersChunk(request: Record<string, unknown>): GatewayGuildMembersChunkDispatchData;
  /** The privileged intents the application has enabled (default all); IDENTIFY asking for another is closed with 4014. */
  privilegedIntents?: number;
  log(message: string): void;
}

const HEARTBEAT_INTERVAL = 41_250;
/** How many dispatches a session keeps for replay on RESUME. */
const BUFFER_LIMIT = 10_000;
/** A session left without a socket this long (real time) can no longer be resumed. */
const SESSION_TTL_MS = 10 * 60_000;
/** Discord's session start limit resets this long after the first IDENTIFY of a window. */
const SESSION_START_WINDOW_MS = 24 * 60 * 60_000;

/** Close codes after which a session cannot be resumed. */
const NON_RESUMABLE = new Set([1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);

interface Session {
  id: string;
  intents: number;
  shard: [number, number];
  seq: number;
  buffer: { s: number; frame: string }[];
  socket: WebSocket | null;
  valid: boolean;
  disconnectedAt: number;
}

interface SocketState {
  session: Session | null;
  serverClosing: boolean;
}

/** The gateway side of the sandbox: HELLO, IDENTIFY/READY, RESUME with replay, dispatches. */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Map<WebSocket, SocketState>();
  private identifies = { used: 0, windowStart: 0 };

  constructor(server: Server, private readonly host: GatewayHost) {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req.url ?? '/'));
  }

  /** A gateway session is identified and has an open socket. */
  connected(): boolean {
    for (const session of this.sessions.values()) {
      if (session.valid && session.socket?.readyState === WebSocket.OPEN) return true;
    }
    return false;
  }

  /** IDENTIFYs counted against the session start limit, and when that count resets (real time). */
  identifyBudget(): { used: number; resetAfterMs: number } {
    const left = this.identifies.windowStart + SESSION_START_WINDOW_MS - Date.now();
    return left > 0 ? { used: this.identifies.used, resetAfterMs: left } : { used: 0, resetAfterMs: 0 };
  }

  /** The [shard_id, num_shards] of every identified session with an open socket. */
  liveShards(): [number, number][] {
    return [...this.sessions.values()]
      .filter((session) => session.valid && session.socket?.readyState === WebSocket.OPEN)
      .map((session): [number, number] => [session.shard[0], session.shard[1]]);
  }

  /**
   * Sends an event to every live session of the event's shard (buffered for sessions without
   * a socket): a guild's events go to the sessions of shard (guild_id >> 22) % num_shards.
   */
  dispatch(t: string, d: unknown): void {
    const now = Date.now();
    const guildId = eventGuild(t, d);
    for (const session of [...this.sessions.values()]) {
      if (!session.valid || !receives(session.shard, guildId)) continue;
      if (!session.socket && now - session.disconnectedAt > SESSION_TTL_MS) {
        this.invalidate(session);
        continue;
      }
      const needed = EVENT_INTENTS[t];
      if (needed !== undefined && (session.intents & needed) === 0) continue;
      this.send(session, t, this.forIntents(t, d, session.intents));
    }
  }

  /** The server closes every open gateway socket with `code`. */
  closeSockets(code: number, reason = 'sandbox closed the socket'): void {
    for (const [ws, state] of this.sockets) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      state.serverClosing = true;
      if (state.session && NON_RESUMABLE.has(code)) this.invalidate(state.session);
      this.host.log(`gateway: closing socket with ${code}`);
      ws.close(code, reason);
    }
  }

  /** op 7 to every identified socket. */
  sendReconnect(): void {
    for (const [ws, state] of this.sockets) {
      if (state.session && ws.readyState === WebSocket.OPEN) this.raw(ws, { op: 7, d: null, s: null, t: null });
    }
  }

  /** op 9 to every identified socket; when not resumable, their sessions end. */
  sendInvalidSession(resumable: boolean): void {
    for (const [ws, state] of this.sockets) {
      if (!state.session || ws.readyState !== WebSocket.OPEN) continue;
      if (!resumable) {
        this.invalidate(state.session);
        state.session = null;
      }
      this.raw(ws, { op: 9, d: resumable, s: null, t: null });
    }
  }

  /**
   * Closes every socket and the server. Sockets get 4004 (not recoverable for discord.js) so a
   * client that is still running stops instead of trying to reconnect to a server that is gone.
   */
  async close(): Promise<void> {
    const closing = [...this.sockets.entries()].map(([ws, state]) => {
      state.serverClosing = true;
      return new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 500);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        if (ws.readyState === WebSocket.OPEN) ws.close(4004, 'sandbox closed');
      });
    });
    await Promise.all(closing);
    this.sockets.clear();
    for (const session of this.sessions.values()) session.valid = false;
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, url: string): void {
    const params = new URL(url, 'ws://sandbox').searchParams;
    const state: SocketState = { session: null, serverClosing: false };
    this.sockets.set(ws, state);
    this.host.log(`gateway: connection ${url}`);
    ws.on('message', (data, isBinary) => this.onMessage(ws, state, data, isBinary));
    ws.on('close', (code) => {
      this.sockets.delete(ws);
      const session = state.session;
      this.host.log(`gateway: socket closed ${code}${session ? ` (session ${session.id})` : ''}`);
      if (session && session.socket === ws) {
        session.socket = null;
        session.disconnectedAt = Date.now();
        if (!state.serverClosing && (code === 1000 || code === 1001)) this.invalidate(session);
      }
    });
    ws.on('error', (err) => this.host.log(`gateway: socket error ${err.message}`));
    if ((params.get('encoding') ?? 'json') !== 'json') {
      this.closeWith(ws, state, 4002, 'only encoding=json is supported');
      return;
    }
    if (params.get('compress')) {
      this.closeWith(ws, state, 4002, 'transport compression is not supported');
      return;
    }
    this.raw(ws, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL }, s: null, t: null });
  }

  private onMessage(ws: WebSocket, state: SocketState, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.closeWith(ws, state, 4002, 'binary payloads are not supported');
      return;
    }
    let payload: { op?: unknown; d?: unknown };
    try {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      this.closeWith(ws, state, 4002, 'Error while decoding payload.');
      return;
    }
    const d = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case 1:
        this.raw(ws, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        this.identify(ws, state, d);
        return;
      case 6:
        this.resume(ws, state, d);
        return;
      case 3:
      case 4:
        if (!state.session) this.closeWith(ws, state, 4003, 'Not authenticated.');
        return;
      case 8: {
        const session = state.session;
        if (!session) {
          this.closeWith(ws, state, 4003, 'Not authenticated.');
          return;
        }
        this.send(session, 'GUILD_MEMBERS_CHUNK', this.host.membersChunk(d));
        return;
      }
      default:
        this.closeWith(ws, state, 4001, 'Unknown opcode.');
    }
  }

  private identify(ws: WebSocket, state: SocketState, d: Record<string, unknown>): void {
    if (state.session) {
      this.closeWith(ws, state, 4005, 'Already authenticated.');
      return;
    }
    if (typeof d.token !== 'string' || d.token.replace(/^Bot\s+/i, '') !== this.host.token) {
      this.closeWith(ws, state, 4004, 'Authentication failed.');
      return;
    }
    if (typeof d.intents !== 'number') {
      this.closeWith(ws, state, 4013, 'Invalid intent(s).');
      return;
    }
    if (d.intents & PRIVILEGED_INTENTS & ~(this.host.privilegedIntents ?? PRIVILEGED_INTENTS)) {
      // Discord: a privileged intent the application has not enabled (or is not approved for).
      this.closeWith(ws, state, 4014, 'Disallowed intent(s).');
      return;
    }
    const liveCounts = this.liveShards().map(([, count]) => count);
    const refused = refuseShard(d.shard, liveCounts, this.host.guildIds(), this.host.maxGuildsPerShard);
    if (refused) {
      this.closeWith(ws, state, refused.code, refused.reason);
      return;
    }
    const shard = (d.shard ?? [0, 1]) as [number, number];
    if (this.identifyBudget().used === 0) this.identifies = { used: 0, windowStart: Date.now() };
    this.identifies.used += 1;
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: d.intents,
      shard,
      seq: 0,
      buffer: [],
      socket: ws,
      valid: true,
      disconnectedAt: 0,
    };
    this.sessions.set(session.id, session);
    state.session = session;
    this.host.log(`gateway: identified session ${session.id} (intents ${session.intents}, shard ${shard.join('/')})`);
    this.send(session, 'READY', this.host.readyData(session.id, shard));
    if (session.intents & Intents.Guilds) {
      for (const guildId of this.host.guildIds()) {
        if (receives(shard, guildId)) this.send(session, 'GUILD_CREATE', this.host.guildCreateData(guildId));
      }
    }
  }

  private resume(ws: WebSocket, state: SocketState, d: Record<string, unknown>): void {
    if (typeof d.token !== 'string' || d.token.replace(/^Bot\s+/i, '') !== this.host.token) {
      this.closeWith(ws, state, 4004, 'Authentication failed.');
      return;
    }
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    const first = session?.buffer[0];
    if (!session || !session.valid || (first !== undefined && first.s > seq + 1)) {
      this.host.log(`gateway: cannot resume ${String(d.session_id)}; invalid session`);
      if (state.session && state.session !== session) state.session = null;
      this.raw(ws, { op: 9, d: false, s: null, t: null });
      return;
    }
    if (session.socket && session.socket !== ws) {
      // Another socket held this session: it stops receiving.
      const old = this.sockets.get(session.socket);
      if (old) old.session = null;
    }
    if (state.session && state.session !== session) state.session = null;
    session.socket = ws;
    state.session = session;
    const missed = session.buffer.filter((entry) => entry.s > seq);
    this.host.log(`gateway: resuming session ${session.id} from ${seq}, replaying ${missed.length}`);
    for (const entry of missed) ws.send(entry.frame);
    session.seq += 1;
    ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: session.seq, d: { _trace: ['sandbox'] } }));
  }

  /** Sends (and buffers) a dispatch in one session. */
  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.buffer.push({ s: session.seq, frame });
    if (session.buffer.length > BUFFER_LIMIT) session.buffer.splice(0, session.buffer.length - BUFFER_LIMIT);
    const ws = session.socket;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame);
  }

  private raw(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private closeWith(ws: WebSocket, state: SocketState, code: number, reason: string): void {
    this.host.log(`gateway: closing ${code} ${reason}`);
    state.serverClosing = true;
    if (state.session && NON_RESUMABLE.has(code)) this.invalidate(state.session);
    ws.close(code, reason);
  }

  private invalidate(session: Session): void {
    session.valid = false;
    session.buffer = [];
    this.sessions.delete(session.id);
  }

  /** Without MESSAGE_CONTENT, message content is blanked unless the bot wrote it or is mentioned. */
  private forIntents(t: string, d: unknown, intents: number): unknown {
    if (intents & Intents.MessageContent) return d;
    if (t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') return d;
    return this.stripContent(d);
  }

  private stripContent(d: unknown): unknown {
    if (!d || typeof d !== 'object') return d;
    const message = d as Record<string, unknown>;
    const author = message.author as { id?: string } | undefined;
    const mentions = (message.mentions ?? []) as { id?: string }[];
    const visible = author?.id === this.host.botUserId || mentions.some((u) => u.id === this.host.botUserId);
    const result: Record<string, unknown> = visible
      ? { ...message }
      : { ...message, content: '', embeds: [], attachments: [], components: [] };
    if (message.referenced_message && typeof message.referenced_message === 'object') {
      result.referenced_message = this.stripContent(message.referenced_message);
    }
    return result;
  }
}
