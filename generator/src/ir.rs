//! The intermediate representation: what the emitters need, with every name already chosen.
//!
//! Lowering builds it from the OpenAPI document; emitters read only this, never `openapiv3`.

/// A whole API, ready to emit.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// URL of the first server, when it is a fixed URL without server variables.
    pub default_server: Option<String>,
    /// Named types, in emission order.
    pub types: Vec<TypeDef>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// Client-wide defaults for parameters marked with `x-client-default`.
    pub client_defaults: Vec<ClientDefault>,
    /// OAuth2 password-flow token URL, when a security scheme declares one.
    pub oauth2_token_url: Option<String>,
}

/// A named Rust type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// Rust type name, unique in the crate.
    pub name: String,
    /// Documentation from the schema's title and description.
    pub doc: Option<String>,
    /// Shape of the type.
    pub kind: TypeKind,
}

/// Shape of a named type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// A struct with named fields, from an object schema.
    Struct {
        /// Fields in the schema's order.
        fields: Vec<Field>,
        /// Type of `additionalProperties`, kept in a flattened map when present.
        additional: Option<TypeRef>,
    },
    /// A string enum; unknown values decode into a catch-all variant.
    StringEnum {
        /// Known values.
        variants: Vec<EnumVariant>,
    },
    /// An integer enum; unknown values decode into a catch-all variant.
    IntegerEnum {
        /// Known values.
        variants: Vec<IntegerVariant>,
    },
    /// A `oneOf` or `anyOf`.
    Union {
        /// Alternatives, in the order they are tried.
        variants: Vec<UnionVariant>,
        /// Discriminator property, when the schema declares one.
        tag: Option<String>,
    },
    /// Another name for a type.
    Alias {
        /// The aliased type.
        target: TypeRef,
    },
}

/// A struct field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Rust field name.
    pub name: String,
    /// Property name in JSON.
    pub json_name: String,
    /// Documentation from the property schema.
    pub doc: Option<String>,
    /// Field type, without the `Option` an optional field adds.
    pub ty: TypeRef,
    /// Whether the property is required; optional fields are `Option<T>`.
    pub required: bool,
    /// Whether the value must be hidden in `Debug` output (`x-sensitive: true`).
    pub sensitive: bool,
    /// The schema's `default`, which an absent optional property decodes to.
    pub default: Option<serde_json::Value>,
}

/// A known string enum value.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// Value in JSON.
    pub value: String,
}

/// A known integer enum value.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegerVariant {
    /// Rust variant name.
    pub name: String,
    /// Value in JSON.
    pub value: i64,
}

/// One alternative of a union.
#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    /// Rust variant name.
    pub name: String,
    /// Payload type.
    pub ty: TypeRef,
    /// Discriminator value, for tagged unions.
    pub tag_value: Option<String>,
}

/// A reference to a type, as used in fields, parameters and bodies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `i8`, from `format: int8`.
    I8,
    /// `i16`, from `format: int16`.
    I16,
    /// `u8`, from `format: uint8`.
    U8,
    /// `u16`, from `format: uint16`.
    U16,
    /// `u32`, from `format: uint32`.
    U32,
    /// `u64`, from `format: uint64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// An RFC 3339 timestamp, kept with its offset.
    DateTime,
    /// A UUID (`format: uuid`).
    Uuid,
    /// A calendar date.
    Date,
    /// Any JSON value.
    Json,
    /// A named type of this crate.
    Named(String),
    /// A JSON array.
    Vec(Box<TypeRef>),
    /// A JSON object with arbitrary keys.
    Map(Box<TypeRef>),
    /// A value that may be `null`.
    Nullable(Box<TypeRef>),
    /// A named type stored on the heap because it contains itself.
    Boxed(Box<TypeRef>),
}

/// An operation of the API.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// The spec's `operationId`, or one derived from method and path.
    pub operation_id: String,
    /// Name of the client method, snake case.
    pub method_name: String,
    /// Prefix of the operation's type names, upper camel case.
    pub type_name: String,
    /// HTTP method, upper case.
    pub http_method: String,
    /// Path template, such as `/api/v3/users/{id}`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Parameters in the spec's order.
    pub parameters: Vec<Parameter>,
    /// Responses, with success responses first.
    pub responses: Vec<Response>,
    /// Whether requests need an access token.
    pub secured: bool,
    /// Page walking, when the operation declares `x-pagination`.
    pub pagination: Option<Pagination>,
    /// Request body, when the operation takes one.
    pub body: Option<RequestBody>,
    /// Name of the enum of success responses, when the 2xx responses have different bodies.
    pub success_enum: Option<String>,
    /// `Accept` header for operations whose responses are not all JSON; the runtime sends
    /// `application/json` otherwise.
    pub accept: Option<String>,
}

/// The request body of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestBody {
    /// Encoding of the value.
    pub encoding: BodyEncoding,
    /// Media type sent as `Content-Type`; `*/*` and wildcards become a concrete type.
    pub media_type: String,
    /// Whether the spec requires a body; a required body is an argument of the client method.
    pub required: bool,
    /// `description`.
    pub doc: Option<String>,
}

/// Encoding of a request body.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyEncoding {
    /// JSON of this type.
    Json(TypeRef),
    /// `application/x-www-form-urlencoded` of the properties of this type.
    Form(TypeRef),
    /// `multipart/form-data`, one part per property of this type.
    Multipart(TypeRef),
    /// Raw bytes, such as `application/octet-stream`.
    Bytes,
    /// Text, such as `text/plain`.
    Text,
}

/// Location of a parameter in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// A parameter of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Rust name of the argument or builder method.
    pub name: String,
    /// Name on the wire.
    pub wire_name: String,
    /// Location in the request.
    pub location: ParameterLocation,
    /// Whether the spec requires it.
    pub required: bool,
    /// Type of the value.
    pub ty: TypeRef,
    /// Documentation.
    pub doc: Option<String>,
    /// Name of the client-wide default this parameter falls back to.
    pub client_default: Option<String>,
    /// Text form of the value, from the parameter's `style` and `explode`.
    pub encoding: ParameterEncoding,
}

/// Rule that turns a parameter value into text on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterEncoding {
    /// One value in its text form.
    Single,
    /// An array sent as one query pair per item (`form` with `explode: true`).
    Repeated,
    /// An array joined with this separator (`form` without `explode`, `spaceDelimited`,
    /// `pipeDelimited`, and `simple` in paths and headers).
    Delimited(char),
    /// An object sent as one query pair per property (`form` with `explode: true`).
    ObjectExploded,
    /// An object sent as `name[property]=value` pairs (`deepObject`).
    DeepObject,
    /// A value sent as compact JSON text, for parameters described by `content`.
    Json,
}

/// A client-wide default value for a parameter, set once on the client builder.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientDefault {
    /// Name of the builder method and of the per-request override.
    pub name: String,
    /// Type of the value.
    pub ty: TypeRef,
    /// Documentation, from the first parameter that uses it.
    pub doc: Option<String>,
}

/// Statuses a response covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// A class such as `4XX`, by its first digit.
    Range(u16),
    /// Every status not listed otherwise.
    Default,
}

/// Decoding of a response body.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    /// No body, or one that is ignored.
    None,
    /// A JSON body of this type.
    Json(TypeRef),
    /// A text body.
    Text,
    /// Raw bytes.
    Bytes,
}

/// A documented response.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Statuses it covers.
    pub status: StatusMatch,
    /// Name of the error variant; unused for success responses.
    pub variant: String,
    /// `description`.
    pub doc: String,
    /// Decoding of the body.
    pub body: ResponseBody,
    /// Headers the spec documents for this response; they are read through
    /// `ResponseValue::headers` and listed in the documentation.
    pub headers: Vec<ResponseHeader>,
}

/// A header documented on a response.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseHeader {
    /// Header name as the spec writes it.
    pub name: String,
    /// `description`.
    pub doc: Option<String>,
}

impl Response {
    /// Returns whether this response is a success (2xx).
    pub fn is_success(&self) -> bool {
        match self.status {
            StatusMatch::Code(code) => (200..300).contains(&code),
            StatusMatch::Range(class) => class == 2,
            StatusMatch::Default => false,
        }
    }
}

/// Page walking for a paginated operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Pagination {
    /// Rust name of the page-number parameter.
    pub page_parameter: String,
    /// Rust name of the page-size parameter.
    pub per_page_parameter: Option<String>,
    /// Rust field names from the response body to the item list.
    pub items_path: Vec<String>,
    /// Type of one item.
    pub item_type: TypeRef,
    /// Rust field names from the response body to the last page number.
    pub last_page_path: Vec<String>,
}
