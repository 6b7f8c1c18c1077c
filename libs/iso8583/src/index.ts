/**
 * @lib/iso8583: the ISO 8583 dialect of network-interface.md. Spec as data, codec (pack, unpack,
 * JSON of the HTTP route, validation, masking), framing (2-byte length) and the TCP link (server
 * for the gateway, client for the network simulator and tests).
 */

// Errors
export { IsoFormatError, NO_OFFSET } from './iso-format-error';
export type { ReadableHeader } from './iso-format-error';

// Spec as data
export type { ContentFormat, FieldProblem, FieldSpec, FieldStructure, LengthType, Padding, Sensitivity } from './spec/field-spec';
export { DECLARED_FIELDS, FIELD_SPECS, MAX_FIELD, fieldSpec } from './spec/dialect';
export {
  NETWORK_MANAGEMENT_CODES,
  REQUEST_TYPES,
  RESPONSE_TYPES,
  isNetworkManagementCode,
  mtiPairOf,
  responseMtiOf,
} from './spec/message-types';
export type { MessageTypeSpec, NetworkManagementCode } from './spec/message-types';
export { TAG_SPECS, isSecretTag, isValidTagName, packAdditionalData, unpackAdditionalData } from './spec/additional-data';
export type { AdditionalData, TagSpec } from './spec/additional-data';
export {
  AVAILABLE_BALANCE,
  LEDGER_BALANCE,
  packAdditionalAmounts,
  signedBalanceMinor,
  unpackAdditionalAmounts,
} from './spec/additional-amounts';
export type { AmountType, BalanceBlock } from './spec/additional-amounts';
export { packOriginalDataElements, padAcquirerId, unpackOriginalDataElements } from './spec/original-data-elements';
export type { OriginalDataElements } from './spec/original-data-elements';
export { packReplacementAmounts, unpackReplacementAmounts } from './spec/replacement-amounts';
export type { ReplacementAmounts } from './spec/replacement-amounts';
export { packFeeAmount, unpackFeeAmount } from './spec/fee-amount';
export type { FeeAmount } from './spec/fee-amount';

// Codec
export { IsoMessage, maskedView, padFieldValue } from './codec/iso-message';
export { pack, packWithHeadroom } from './codec/pack';
export { tryUnpack, unpack } from './codec/unpack';
export type { UnpackResult } from './codec/unpack';
export { DEFAULT_MAX_MESSAGE_BYTES } from './codec/codec-options';
export type { CodecOptions } from './codec/codec-options';
export { messageFromJson, messageToJson } from './codec/json';
export type { IsoMessageJson } from './codec/json';
export { readableOf, validateRequest, validateResponse } from './codec/validate';
export { maskPan, maskFieldValue } from './codec/masking';
export type { MaskedMessageView } from './codec/masking';

// Framing
export { FRAME_HEADER_BYTES, FrameDecoder, FramingError } from './framing/frame-decoder';
export { encodeFrame, packFrame } from './framing/frame-encoder';

// TCP link
export { IsoServer, DEFAULT_SERVER_OPTIONS } from './link/iso-server';
export type { IsoRequestContext, IsoRequestHandler, IsoServerEvent, IsoServerMetrics, IsoServerOptions } from './link/iso-server';
export { IsoClient, DEFAULT_CLIENT_OPTIONS, transmissionDateTime } from './link/iso-client';
export type { IsoClientMetrics, IsoClientOptions, LateReplyInfo, SendOptions } from './link/iso-client';
export { IsoClientBusyError, IsoConnectionError, IsoDuplicateRequestError, IsoLinkError, IsoTimeoutError } from './link/link-errors';
export type { IsoLinkErrorCode } from './link/link-errors';
export { DEFAULT_ALLOW_LIST } from './link/allow-list';
export { ECHOED_FIELDS, buildFormatErrorResponse, buildNetworkManagementResponse, buildParsedFormatErrorResponse, buildResponse } from './link/responses';
export { matchKeyOf } from './link/match-key';
