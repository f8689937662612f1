/** What a message create/edit body turns into: validation, mentions and attachments, as on Discord. */
import type { APIAttachment, APIEmbed, APIMessage, APIUser } from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import { clone, type AllowedMentions, type MessageBody, type MemberRecord, type UploadedFile } from './model.ts';

export function validateBody(body: MessageBody, hasFiles: boolean, creating: boolean): void {
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    throw formError('content', 'BASE_TYPE_STRING', 'Must be a string.');
  }
  if (typeof body.content === 'string' && body.content.length > 2000) {
    throw formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  if (body.embeds !== undefined && body.embeds !== null) {
    if (!Array.isArray(body.embeds)) throw formError('embeds', 'BASE_TYPE_LIST', 'Must be an array.');
    if (body.embeds.length > 10) throw formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  }
  if (creating) {
    const empty =
      !(typeof body.content === 'string' && body.content.length > 0) &&
      !(Array.isArray(body.embeds) && body.embeds.length > 0) &&
      !(Array.isArray(body.components) && body.components.length > 0) &&
      !(Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) &&
      !body.poll &&
      !hasFiles;
    if (empty) throw new ApiError(400, 50006, 'Cannot send an empty message');
  }
}

/** Who a message pings, honouring allowed_mentions like Discord. */
export function mentionsFor(
  dir: Directory,
  content: string,
  allowed: AllowedMentions | undefined,
  repliedAuthor: APIUser | undefined,
): Pick<APIMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
  const parse = allowed?.parse ?? (allowed ? [] : ['users', 'roles', 'everyone']);
  const userIds = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] as string);
  const roleIds = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] as string);
  const users = new Set<string>();
  for (const id of userIds) {
    if (!dir.members.has(id)) continue;
    if (parse.includes('users') || allowed?.users?.includes(id)) users.add(id);
  }
  const repliedUser = allowed ? allowed.replied_user === true : true;
  if (repliedAuthor && repliedUser && dir.members.has(repliedAuthor.id)) users.add(repliedAuthor.id);
  const roles = new Set<string>();
  for (const id of roleIds) {
    if (!dir.roles.has(id)) continue;
    if (parse.includes('roles') || allowed?.roles?.includes(id)) roles.add(id);
  }
  return {
    mentions: [...users].map((id) => clone((dir.members.get(id) as MemberRecord).user)),
    mention_roles: [...roles],
    mention_everyone: parse.includes('everyone') && /@(everyone|here)\b/.test(content),
  };
}

/** Files served at /attachments/{id}/{name}, as Discord's CDN would. */
export type HostedFiles = Map<string, { filename: string; content: Buffer; contentType: string }>;

export function attachmentUrl(baseUrl: string, id: string, filename: string): string {
  return `${baseUrl}/attachments/${id}/${encodeURIComponent(filename)}`;
}

/** The attachments of uploaded files, named and described by the body's `attachments`. */
export function attachmentsFrom(dir: Directory, baseUrl: string, files: UploadedFile[], described: unknown): APIAttachment[] {
  const descriptions = Array.isArray(described) ? (described as Record<string, unknown>[]) : [];
  return files.map((file, index) => {
    const fieldIndex = /\[(\d+)\]/.exec(file.field)?.[1] ?? String(index);
    const info = descriptions.find((d) => String(d.id) === fieldIndex);
    const filename = typeof info?.filename === 'string' ? info.filename : file.name;
    const id = dir.ids.next();
    const url = attachmentUrl(baseUrl, id, filename);
    return {
      id,
      filename,
      ...(typeof info?.description === 'string' ? { description: info.description } : {}),
      ...(file.contentType ? { content_type: file.contentType } : {}),
      size: file.size,
      url,
      proxy_url: url,
    };
  });
}

/**
 * Embeds as Discord stores and returns them: `type` 'rich' unless given, and every field's
 * `inline` present (false unless given), as Discord's schema requires of a message's embeds.
 */
export function storedEmbeds(embeds: unknown): APIEmbed[] {
  if (!Array.isArray(embeds)) return [];
  return (clone(embeds) as APIEmbed[]).map((embed) => ({
    type: 'rich',
    ...embed,
    ...(embed.fields ? { fields: embed.fields.map((field) => ({ ...field, inline: field.inline ?? false })) } : {}),
  })) as APIEmbed[];
}
