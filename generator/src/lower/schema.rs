//! Lowering of schemas into named types and type references.

use std::collections::BTreeMap;

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::diag::{join_pointer, Reporter};
use crate::ir::{EnumVariant, Field, IntegerVariant, TypeDef, TypeKind, TypeRef};
use crate::naming::{self, Scope};

/// Prefix of local references to component schemas.
const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Builds named types from schemas, choosing every type name in one scope.
pub(crate) struct SchemaLowering<'a> {
    components: &'a indexmap::IndexMap<String, ReferenceOr<Schema>>,
    /// Rust name chosen for each component schema, by component key.
    component_names: BTreeMap<String, String>,
    type_names: Scope,
    /// Finished types, by Rust name, so emission order never depends on lowering order.
    pub(crate) types: BTreeMap<String, TypeDef>,
}

impl<'a> SchemaLowering<'a> {
    /// Claims a name for every component schema, so references resolve before their target is lowered.
    pub(crate) fn new(components: &'a indexmap::IndexMap<String, ReferenceOr<Schema>>, reserved: &[&str]) -> Self {
        let mut type_names = Scope::with_reserved(reserved);
        let component_names =
            components.keys().map(|key| (key.clone(), type_names.claim(&naming::type_name(key, "Schema")))).collect();
        SchemaLowering { components, component_names, type_names, types: BTreeMap::new() }
    }

    /// Lowers every component schema into a named type.
    pub(crate) fn lower_components(&mut self, report: &mut Reporter<'_>) {
        for (key, schema) in self.components {
            let pointer = join_pointer("/components/schemas", key);
            let name = self.component_names[key].clone();
            match schema {
                ReferenceOr::Item(schema) => self.lower_named(&name, schema, &pointer, report),
                ReferenceOr::Reference { reference } => {
                    let target = self.lower_reference(reference, &pointer, report);
                    self.insert(name, None, TypeKind::Alias { target });
                }
            }
        }
    }

    /// Claims a unique type name derived from `wanted`, for a type lowered later.
    pub(crate) fn claim_type_name(&mut self, wanted: &str) -> String {
        self.type_names.claim(&naming::type_name(wanted, "Type"))
    }

    fn insert(&mut self, name: String, doc: Option<String>, kind: TypeKind) {
        self.types.insert(name.clone(), TypeDef { name, doc, kind });
    }

    /// Lowers `schema` into a type named `name` when it needs one, or an alias otherwise.
    fn lower_named(&mut self, name: &str, schema: &Schema, pointer: &str, report: &mut Reporter<'_>) {
        let doc = schema_doc(schema);
        if let Some(kind) = self.named_kind(name, schema, pointer, report) {
            self.insert(name.to_string(), doc, kind);
        } else {
            let target = self.lower_inline(name, schema, pointer, report);
            self.insert(name.to_string(), doc, TypeKind::Alias { target });
        }
    }

    /// Returns the kind of a type that must be named (objects and enums), or `None` for schemas that
    /// map to a plain Rust type.
    fn named_kind(
        &mut self,
        name: &str,
        schema: &Schema,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Option<TypeKind> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Some(self.lower_object(
                name,
                &object.properties,
                &object.required,
                object.additional_properties.as_ref(),
                pointer,
                report,
            )),
            SchemaKind::Any(any) if !any.properties.is_empty() => Some(self.lower_object(
                name,
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                pointer,
                report,
            )),
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
                Some(TypeKind::StringEnum { variants: string_variants(&values) })
            }
            SchemaKind::Type(Type::Integer(integer)) if !integer.enumeration.is_empty() => {
                let values: Vec<i64> = integer.enumeration.iter().flatten().copied().collect();
                Some(TypeKind::IntegerEnum { variants: integer_variants(&values) })
            }
            _ => None,
        }
    }

    fn lower_object(
        &mut self,
        name: &str,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> TypeKind {
        let mut field_names = Scope::default();
        let mut fields = Vec::new();
        for (json_name, property) in properties {
            let property_pointer = join_pointer(&join_pointer(pointer, "properties"), json_name);
            let context = format!("{name} {json_name}");
            let (ty, doc, sensitive) = match property {
                ReferenceOr::Item(schema) => {
                    let sensitive =
                        schema.schema_data.extensions.get("x-sensitive") == Some(&serde_json::Value::Bool(true));
                    (self.lower_inline(&context, schema, &property_pointer, report), schema_doc(schema), sensitive)
                }
                ReferenceOr::Reference { reference } => {
                    (self.lower_reference(reference, &property_pointer, report), None, false)
                }
            };
            let ty = match ty {
                TypeRef::Nullable(inner) => *inner,
                other => other,
            };
            fields.push(Field {
                name: field_names.claim(&naming::value_name(json_name, "field")),
                json_name: json_name.clone(),
                doc,
                ty,
                required: required.contains(json_name),
                sensitive,
            });
        }
        let additional = match additional {
            None | Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(schema)) => {
                let extra_pointer = join_pointer(pointer, "additionalProperties");
                Some(self.lower_schema_ref(&format!("{name} value"), schema, &extra_pointer, report))
            }
        };
        TypeKind::Struct { fields, additional }
    }

    /// Lowers a schema or reference found at `pointer`; `context` names any type it has to create.
    pub(crate) fn lower_schema_ref(
        &mut self,
        context: &str,
        schema: &ReferenceOr<impl std::borrow::Borrow<Schema>>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, pointer, report),
            ReferenceOr::Item(schema) => self.lower_inline(context, schema.borrow(), pointer, report),
        }
    }

    fn lower_reference(&mut self, reference: &str, pointer: &str, report: &mut Reporter<'_>) -> TypeRef {
        let target = reference.strip_prefix(SCHEMA_REF_PREFIX).map(unescape_pointer_token);
        match target.as_deref().and_then(|key| self.component_names.get(key)) {
            Some(name) => TypeRef::Named(name.clone()),
            None => {
                report.error(
                    &join_pointer(pointer, "$ref"),
                    format!("unresolvable schema reference `{reference}`"),
                    "point the `$ref` at an existing entry of `#/components/schemas`; references to other files are not supported",
                );
                TypeRef::Json
            }
        }
    }

    /// Lowers an inline schema; objects and enums become new named types called after `context`.
    pub(crate) fn lower_inline(
        &mut self,
        context: &str,
        schema: &Schema,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> TypeRef {
        let nullable = schema.schema_data.nullable;
        let ty = self.lower_inline_not_null(context, schema, pointer, report);
        if nullable {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        }
    }

    fn lower_inline_not_null(
        &mut self,
        context: &str,
        schema: &Schema,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> TypeRef {
        if needs_name(schema) {
            let name = self.claim_type_name(context);
            let Some(kind) = self.named_kind(&name, schema, pointer, report) else {
                return TypeRef::Json;
            };
            self.insert(name.clone(), schema_doc(schema), kind);
            return TypeRef::Named(name);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => string_type(&string.format),
            SchemaKind::Type(Type::Integer(integer)) => match integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(number)) => match number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                let items_pointer = join_pointer(pointer, "items");
                let item = match &array.items {
                    Some(items) => self.lower_schema_ref(&format!("{context} item"), items, &items_pointer, report),
                    None => TypeRef::Json,
                };
                TypeRef::Vec(Box::new(item))
            }
            SchemaKind::Type(Type::Object(_)) => TypeRef::Json,
            SchemaKind::Any(any) if any.items.is_some() => {
                let items_pointer = join_pointer(pointer, "items");
                let item = match &any.items {
                    Some(items) => self.lower_schema_ref(&format!("{context} item"), items, &items_pointer, report),
                    None => TypeRef::Json,
                };
                TypeRef::Vec(Box::new(item))
            }
            SchemaKind::Any(_) => TypeRef::Json,
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } | SchemaKind::Not { .. } => {
                report.warning(pointer, "`oneOf`, `anyOf`, `allOf` and `not` are not lowered yet; the value is typed as `serde_json::Value`");
                TypeRef::Json
            }
        }
    }
}

/// Returns whether `schema` becomes a named type (an object with properties or an enum).
fn needs_name(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => !object.properties.is_empty(),
        SchemaKind::Any(any) => !any.properties.is_empty(),
        SchemaKind::Type(Type::String(string)) => !string.enumeration.is_empty(),
        SchemaKind::Type(Type::Integer(integer)) => !integer.enumeration.is_empty(),
        _ => false,
    }
}

fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
        _ => TypeRef::String,
    }
}

/// Names the values of a string enum, numbering values whose names collide.
fn string_variants(values: &[String]) -> Vec<EnumVariant> {
    let mut names = Scope::with_reserved(&["Unknown"]);
    values
        .iter()
        .map(|value| EnumVariant { name: names.claim(&naming::type_name(value, "Value")), value: value.clone() })
        .collect()
}

fn integer_variants(values: &[i64]) -> Vec<IntegerVariant> {
    let mut names = Scope::with_reserved(&["Unknown"]);
    values
        .iter()
        .map(|value| {
            let wanted = if *value < 0 { format!("Minus{}", value.unsigned_abs()) } else { format!("Value{value}") };
            IntegerVariant { name: names.claim(&wanted), value: *value }
        })
        .collect()
}

/// Returns the title and description of a schema as one documentation text.
pub(crate) fn schema_doc(schema: &Schema) -> Option<String> {
    let parts: Vec<&str> = [schema.schema_data.title.as_deref(), schema.schema_data.description.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

/// Undoes RFC 6901 escaping of one pointer token.
pub(crate) fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
