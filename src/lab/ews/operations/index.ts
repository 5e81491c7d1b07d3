import type { EwsCall } from '../call.ts';
import { ConvertId } from './convert-id.ts';
import { CreateFolder } from './create-folder.ts';
import { CreateItem } from './create-item.ts';
import { DeleteItem } from './delete-item.ts';
import { FindFolder } from './find-folder.ts';
import { FindItem } from './find-item.ts';
import { GetAttachment } from './get-attachment.ts';
import { GetEvents } from './get-events.ts';
import { GetFolder } from './get-folder.ts';
import { GetItem } from './get-item.ts';
import { MoveItem } from './move-item.ts';
import { ResolveNames } from './resolve-names.ts';
import { SendItem } from './send-item.ts';
import { Subscribe } from './subscribe.ts';
import { SyncFolderHierarchy } from './sync-folder-hierarchy.ts';
import { SyncFolderItems } from './sync-folder-items.ts';
import { Unsubscribe } from './unsubscribe.ts';
import { UpdateItem } from './update-item.ts';
import { CreateUserConfiguration, DeleteUserConfiguration, GetUserConfiguration, UpdateUserConfiguration } from './user-configuration.ts';

export type Operation = (call: EwsCall) => string | Promise<string>;

/**
 * The operations the lab answers, by element name. GetStreamingEvents is not here: it holds the
 * HTTP response open and is run by the HTTP layer (http/lab-server.ts).
 */
export const OPERATIONS: Record<string, Operation> = {
  ConvertId,
  CreateFolder,
  CreateItem,
  CreateUserConfiguration,
  DeleteItem,
  DeleteUserConfiguration,
  FindFolder,
  FindItem,
  GetAttachment,
  GetEvents,
  GetFolder,
  GetItem,
  GetUserConfiguration,
  MoveItem,
  ResolveNames,
  SendItem,
  Subscribe,
  SyncFolderHierarchy,
  SyncFolderItems,
  Unsubscribe,
  UpdateItem,
  UpdateUserConfiguration,
};

export const STREAMING_OPERATIONS = new Set(['GetStreamingEvents']);
