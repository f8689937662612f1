/** The sandbox's records and the shapes shared by its parts. */
import type {
  APIApplicationCommand,
  APIMessage,
  APITextChannel,
  APIThreadChannel,
  APIUser,
  GatewayDispatchPayload,
} from 'discord-api-types/v10';
import { PermissionFlagsBits } from 'discord-api-types/v10';

/** A user payload as Discord sends it (APIUser). */
export type SandboxUser = APIUser;
/** A guild text channel (type 0) or thread (type 11/12) payload. */
export type SandboxChannel = APITextChannel | APIThreadChannel;
/** A Discord message payload (APIMessage). */
export type SandboxMessage = APIMessage;
/** An application command as stored by a bulk overwrite (with id, application_id, version...). */
export type SandboxCommand = APIApplicationCommand;

export interface RecordedCallback {
  type: number;
  data?: unknown;
}

/** The data of the gateway event `E`, as discord-api-types declares it. */
export type DispatchData<E extends GatewayDispatchPayload['t']> = Extract<GatewayDispatchPayload, { t: E }>['d'];

/** Sends a gateway dispatch; typed so that tsc checks every payload against discord-api-types. */
export type Dispatch = <E extends GatewayDispatchPayload['t']>(event: E, data: DispatchData<E>) => void;

export interface MemberRecord {
  user: APIUser;
  roles: string[];
  joinedAt: string;
}

export interface ChannelRecord {
  channel: SandboxChannel;
  messageIds: string[];
}

export interface MessageRecord {
  message: APIMessage;
  deleted: boolean;
  /** Kept out of the stored message: Discord only echoes it on create. */
  nonce?: string | number;
  enforceNonce: boolean;
  createdMs: number;
  ephemeral: boolean;
}

export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType?: string;
}

/** The fields of a message create/edit body the sandbox honours. */
export interface MessageBody {
  content?: unknown;
  embeds?: unknown;
  allowed_mentions?: unknown;
  message_reference?: unknown;
  nonce?: unknown;
  enforce_nonce?: unknown;
  flags?: unknown;
  components?: unknown;
  attachments?: unknown;
  sticker_ids?: unknown;
  poll?: unknown;
  tts?: unknown;
}

export const MessageTypes = { Default: 0, Reply: 19, ChatInputCommand: 20 } as const;
export const Flags = {
  HasThread: 1 << 5,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressEmbeds: 1 << 2,
  SuppressNotifications: 1 << 12,
  IsComponentsV2: 1 << 15,
} as const;
export const SETTABLE_FLAGS = Flags.SuppressEmbeds | Flags.SuppressNotifications | Flags.IsComponentsV2;

const P = PermissionFlagsBits;
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);
/** What @everyone may do in the sandbox guild (close to Discord's defaults). */
export const EVERYONE_PERMISSIONS =
  P.CreateInstantInvite | P.AddReactions | P.Stream | P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles |
  P.ReadMessageHistory | P.UseExternalEmojis | P.Connect | P.Speak | P.UseVAD | P.ChangeNickname |
  P.UseApplicationCommands | P.RequestToSpeak | P.CreatePublicThreads | P.CreatePrivateThreads |
  P.UseExternalStickers | P.SendMessagesInThreads | P.UseEmbeddedActivities | P.SendVoiceMessages | P.SendPolls |
  P.UseExternalApps;
/** The bot's managed role: what a bot is usually invited with, short of Administrator. */
export const BOT_PERMISSIONS =
  EVERYONE_PERMISSIONS | P.ManageMessages | P.ManageThreads | P.MentionEveryone | P.ManageChannels | P.ManageRoles;

export function clone<T>(value: T): T {
  return structuredClone(value);
}
