//! Protobuf rules: one constant per rule, emitted by constant so that a mistyped rule
//! cannot compile, and [`RULES`], the table of all of them sorted by id.

crate::contract::rules::declare_rules! {
    ENUM_ADDED = "protobuf.enum.added", NonBreaking, "a new enum";
    ENUM_DEPRECATED = "protobuf.enum.deprecated", Deprecation, "an enum became deprecated";
    ENUM_REMOVED = "protobuf.enum.removed", Breaking, "an enum was removed or renamed; code that names it no longer compiles";
    ENUM_VALUE_ADDED = "protobuf.enum.value-added", NonBreaking, "a new enum value; old readers keep it as an unknown value";
    ENUM_VALUE_DEPRECATED = "protobuf.enum.value-deprecated", Deprecation, "an enum value became deprecated";
    ENUM_VALUE_NUMBER_CHANGED = "protobuf.enum.value-number-changed", Breaking, "an enum value kept its name but changed number; old and new binaries read each other's values as other values";
    ENUM_VALUE_NUMBER_REUSED = "protobuf.enum.value-number-reused", Breaking, "an enum value takes a number the old enum reserved or gave another value; data written with the old value now reads as the new one";
    ENUM_VALUE_REMOVED_RESERVED = "protobuf.enum.value-removed-reserved", NonBreaking, "an enum value was removed and its number reserved; binaries still interoperate, and code naming the value breaks only when regenerated";
    ENUM_VALUE_REMOVED_WITHOUT_RESERVE = "protobuf.enum.value-removed-without-reserve", Breaking, "an enum value was removed without reserving its number; code and JSON naming it break, and a later value may reuse the number";
    ENUM_VALUE_RENAMED = "protobuf.enum.value-renamed", Breaking, "an enum value changed name but kept its number; the binary encoding is unchanged, but JSON carries the name and generated code uses it";
    FIELD_ADDED = "protobuf.field.added", NonBreaking, "a new field; old readers skip it";
    FIELD_ADDED_REQUIRED = "protobuf.field.added-required", Breaking, "a new proto2 required field; messages from old writers lack it and fail to parse";
    FIELD_CARDINALITY_CHANGED = "protobuf.field.cardinality-changed", Breaking, "a field changed between singular, repeated, map and required; readers get other values and generated code changes";
    FIELD_DEPRECATED = "protobuf.field.deprecated", Deprecation, "a field became deprecated";
    FIELD_JSON_NAME_CHANGED = "protobuf.field.json-name-changed", Breaking, "a field's JSON name changed (`json_name`); JSON writers and readers disagree";
    FIELD_NUMBER_CHANGED = "protobuf.field.number-changed", Breaking, "a field kept its name but changed number; old and new binaries drop or misread each other's value";
    FIELD_NUMBER_REUSED = "protobuf.field.number-reused", Breaking, "a field number that the old version reserved or gave another field is used by a different field; data from old binaries is misread";
    FIELD_ONEOF_CHANGED = "protobuf.field.oneof-changed", Breaking, "a field moved into, out of or between oneofs; setting a member now clears others, and generated code changes";
    FIELD_PRESENCE_CHANGED = "protobuf.field.presence-changed", Breaking, "a scalar field gained or lost explicit presence (proto3 `optional`); the encoding is unchanged, but generated code changes (has-accessors, Go pointers)";
    FIELD_REMOVED_RESERVED = "protobuf.field.removed-reserved", NonBreaking, "a field was removed and its number reserved; binaries still interoperate, and code naming the field breaks only when regenerated";
    FIELD_REMOVED_WITHOUT_RESERVE = "protobuf.field.removed-without-reserve", Breaking, "a field was removed without reserving its number; readers lose it, and a later field may reuse the number and misread old data";
    FIELD_RENAMED = "protobuf.field.renamed", Breaking, "a field changed name but kept its number; the binary encoding is unchanged, but JSON and generated code use the name";
    FIELD_TYPE_CHANGED = "protobuf.field.type-changed", Breaking, "a field's type changed to one with another wire encoding; old and new binaries cannot read each other's value";
    FIELD_TYPE_CHANGED_WIRE_COMPATIBLE = "protobuf.field.type-changed-wire-compatible", Breaking, "a field's type changed within a wire-compatible group (varints, zigzag, fixed, string and bytes); binaries still parse, but values may be truncated or reinterpreted, and JSON and generated code change";
    MESSAGE_ADDED = "protobuf.message.added", NonBreaking, "a new message";
    MESSAGE_DEPRECATED = "protobuf.message.deprecated", Deprecation, "a message became deprecated";
    MESSAGE_REMOVED = "protobuf.message.removed", Breaking, "a message was removed or renamed; code and contracts that name it break";
    PACKAGE_REMOVED = "protobuf.package.removed", Breaking, "a package was removed or renamed; the full name of every rpc and type in it changes, so every caller fails";
    RPC_ADDED = "protobuf.rpc.added", NonBreaking, "a new rpc";
    RPC_DEPRECATED = "protobuf.rpc.deprecated", Deprecation, "an rpc became deprecated";
    RPC_REMOVED = "protobuf.rpc.removed", Breaking, "an rpc was removed; its callers fail with UNIMPLEMENTED";
    RPC_REQUEST_TYPE_CHANGED = "protobuf.rpc.request-type-changed", Breaking, "an rpc takes another request message; old callers send what the server no longer reads";
    RPC_RESPONSE_TYPE_CHANGED = "protobuf.rpc.response-type-changed", Breaking, "an rpc returns another response message; old callers cannot read it";
    RPC_STREAMING_CHANGED = "protobuf.rpc.streaming-changed", Breaking, "an rpc changed between unary, client, server and bidirectional streaming; old stubs call it the wrong way";
    SERVICE_ADDED = "protobuf.service.added", NonBreaking, "a new service";
    SERVICE_DEPRECATED = "protobuf.service.deprecated", Deprecation, "a service became deprecated";
    SERVICE_REMOVED = "protobuf.service.removed", Breaking, "a service was removed or renamed; every call to its rpcs fails";
}
