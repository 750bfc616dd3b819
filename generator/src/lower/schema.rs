//! Lowering of schemas into named types and type references.

use std::collections::BTreeMap;

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::diag::{join_pointer, Reporter};
use crate::ir::{EnumVariant, Field, IntegerVariant, TypeDef, TypeKind, TypeRef, UnionVariant};
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

    /// Returns whether a schema, after following references, describes an object.
    pub(crate) fn is_object(&self, schema: &ReferenceOr<impl std::borrow::Borrow<Schema>>) -> bool {
        let mut current = match schema {
            ReferenceOr::Item(schema) => schema.borrow(),
            ReferenceOr::Reference { reference } => match self.resolve(reference) {
                Some(schema) => schema,
                None => return false,
            },
        };
        // References to references are followed a bounded number of times, in case they loop.
        for _ in 0..16 {
            match &current.schema_kind {
                SchemaKind::Type(Type::Object(_)) => return true,
                SchemaKind::Any(any) => return !any.properties.is_empty() || any.additional_properties.is_some(),
                SchemaKind::AllOf { all_of } => match all_of.first() {
                    Some(ReferenceOr::Item(schema)) => current = schema,
                    Some(ReferenceOr::Reference { reference }) => match self.resolve(reference) {
                        Some(schema) => current = schema,
                        None => return false,
                    },
                    None => return false,
                },
                _ => return false,
            }
        }
        false
    }

    /// Returns the component schema `reference` points at, following references between components.
    fn resolve(&self, reference: &str) -> Option<&'a Schema> {
        let mut reference = reference.to_string();
        for _ in 0..16 {
            let key = unescape_pointer_token(reference.strip_prefix(SCHEMA_REF_PREFIX)?);
            match self.components.get(&key)? {
                ReferenceOr::Item(schema) => return Some(schema),
                ReferenceOr::Reference { reference: next } => reference = next.clone(),
            }
        }
        None
    }

    /// Claims the type name of an operation's request builder, making sure that the name with
    /// `Error` appended, which its error enum takes, is free too.
    pub(crate) fn claim_operation_type_name(&mut self, operation_id: &str) -> String {
        self.type_names.claim_with_suffix(&naming::type_name(operation_id, "Operation"), "Error")
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
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                let mut members: Vec<ReferenceOr<Schema>> = any.all_of.clone();
                members.push(ReferenceOr::Item(object_schema(
                    &any.properties,
                    &any.required,
                    &any.additional_properties,
                )));
                self.lower_all_of(name, &members, pointer, report)
            }
            SchemaKind::Any(any) if !any.one_of.is_empty() || !any.any_of.is_empty() => {
                let (members, keyword) =
                    if any.one_of.is_empty() { (&any.any_of, "anyOf") } else { (&any.one_of, "oneOf") };
                Some(self.lower_union(
                    name,
                    members,
                    schema.schema_data.discriminator.as_ref(),
                    &join_pointer(pointer, keyword),
                    report,
                ))
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => Some(self.lower_object(
                name,
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                pointer,
                report,
            )),
            SchemaKind::OneOf { one_of } if !one_of.is_empty() => Some(self.lower_union(
                name,
                one_of,
                schema.schema_data.discriminator.as_ref(),
                &join_pointer(pointer, "oneOf"),
                report,
            )),
            SchemaKind::AnyOf { any_of } if !any_of.is_empty() => Some(self.lower_union(
                name,
                any_of,
                schema.schema_data.discriminator.as_ref(),
                &join_pointer(pointer, "anyOf"),
                report,
            )),
            SchemaKind::AllOf { all_of } => self.lower_all_of(name, all_of, pointer, report),
            SchemaKind::Type(Type::String(string)) if string.enumeration.iter().any(Option::is_some) => {
                let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
                Some(TypeKind::StringEnum { variants: string_variants(&values) })
            }
            SchemaKind::Type(Type::Integer(integer)) if integer.enumeration.iter().any(Option::is_some) => {
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
        // The flattened map of extra properties is a field too.
        let reserved: &[&str] = if additional.is_some() { &["additional_properties"] } else { &[] };
        let mut field_names = Scope::with_reserved(reserved);
        let mut fields = Vec::new();
        for (json_name, property) in properties {
            let property_pointer = join_pointer(&join_pointer(pointer, "properties"), json_name);
            let context = format!("{name} {json_name}");
            let default = match property {
                ReferenceOr::Item(schema) => schema.schema_data.default.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            let (ty, doc, sensitive, one_direction) = match property {
                ReferenceOr::Item(schema) => {
                    let data = &schema.schema_data;
                    let sensitive = data.extensions.get("x-sensitive") == Some(&serde_json::Value::Bool(true));
                    let ty = self.lower_inline(&context, schema, &property_pointer, report);
                    (ty, property_doc(schema), sensitive, data.read_only || data.write_only)
                }
                ReferenceOr::Reference { reference } => {
                    let ty = self.lower_reference(reference, &property_pointer, report);
                    // A referenced schema that is itself `nullable` makes the property nullable.
                    let target = self.resolve(reference);
                    let nullable = target.is_some_and(|target| target.schema_data.nullable);
                    let ty = if nullable { TypeRef::Nullable(Box::new(ty)) } else { ty };
                    // The field has no schema of its own, so it takes the referenced schema's docs.
                    (ty, target.and_then(property_doc), false, false)
                }
            };
            // A `readOnly` property is absent from requests and a `writeOnly` one from responses,
            // so one type serves both directions only if such properties are optional.
            let required = required.contains(json_name) && !one_direction;
            // An optional field is already an `Option`, which accepts `null`; a required one keeps
            // its `Nullable` so that `null` still decodes.
            let ty = match ty {
                TypeRef::Nullable(inner) if !required => *inner,
                other => other,
            };
            fields.push(Field {
                name: field_names.claim(&naming::value_name(json_name, "field")),
                json_name: json_name.clone(),
                doc,
                ty,
                required,
                sensitive,
                default,
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
            SchemaKind::Type(Type::Integer(integer)) => integer_type(&integer.format),
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
            SchemaKind::Any(any) => any_type(any),
            SchemaKind::AllOf { all_of } => match single_reference(all_of) {
                Some(reference) => self.lower_reference(reference, &join_pointer(pointer, "allOf/0"), report),
                None => TypeRef::Json,
            },
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => TypeRef::Json,
            SchemaKind::Not { .. } => {
                report.warning(
                    pointer,
                    "`not` cannot be expressed as a Rust type; the value is typed as `serde_json::Value`",
                );
                TypeRef::Json
            }
        }
    }

    /// Lowers a `oneOf` or `anyOf` into a union, tagged when a discriminator names each variant.
    fn lower_union(
        &mut self,
        name: &str,
        members: &[ReferenceOr<Schema>],
        discriminator: Option<&openapiv3::Discriminator>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> TypeKind {
        if let Some(values) = self.string_enum_members(members) {
            return TypeKind::StringEnum { variants: string_variants(&values) };
        }
        let implicit = self.implicit_tag(members);
        let mut names = Scope::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = join_pointer(pointer, &index.to_string());
            // An inline member tagged by a one-value property is named after that value.
            let implicit_value = implicit.as_ref().and_then(|(_, values)| values.get(index));
            let context = match implicit_value {
                Some(value) => format!("{name} {value}"),
                None => format!("{name} variant {index}"),
            };
            let ty = self.lower_schema_ref(&context, member, &member_pointer, report);
            let tag_value = match (discriminator, member) {
                (Some(discriminator), ReferenceOr::Reference { reference }) => Some(tag_for(discriminator, reference)),
                _ => None,
            };
            let wanted = match (implicit_value, member) {
                (Some(value), ReferenceOr::Item(_)) => naming::type_name(value, "Variant"),
                _ => variant_name(&ty, index),
            };
            variants.push(UnionVariant { name: names.claim(&wanted), ty, tag_value });
        }
        let mut tag_values: Vec<&str> = variants.iter().filter_map(|variant| variant.tag_value.as_deref()).collect();
        tag_values.sort_unstable();
        tag_values.dedup();
        let tagged = discriminator.is_some() && tag_values.len() == variants.len();
        let tag = if tagged { discriminator.map(|discriminator| discriminator.property_name.clone()) } else { None };
        if let (false, Some((property, values))) = (tagged, implicit) {
            for (variant, value) in variants.iter_mut().zip(values) {
                variant.tag_value = Some(value);
            }
            return TypeKind::Union { variants, tag: Some(property) };
        }
        if !tagged {
            for variant in &mut variants {
                variant.tag_value = None;
            }
        }
        TypeKind::Union { variants, tag }
    }

    /// Returns the values of a `oneOf` or `anyOf` whose members are all string enums (a common way
    /// to document each value), so that it becomes one enum instead of a union that could never
    /// tell its members apart.
    fn string_enum_members(&self, members: &[ReferenceOr<Schema>]) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for member in members {
            let SchemaKind::Type(Type::String(string)) = &self.resolve_member(member)?.schema_kind else {
                return None;
            };
            if string.enumeration.is_empty() {
                return None;
            }
            values.extend(string.enumeration.iter().flatten().cloned());
        }
        Some(values)
    }

    /// Finds a property that tags the members of a union without a usable discriminator: required
    /// in every member, a string enum of one value there, and a different value in each member.
    /// Returns the property and the value of each member.
    fn implicit_tag(&self, members: &[ReferenceOr<Schema>]) -> Option<(String, Vec<String>)> {
        let objects: Vec<_> = members.iter().map(|member| self.member_object(member)).collect::<Option<_>>()?;
        let (first_properties, first_required) = objects.first()?;
        'candidates: for name in first_properties.keys().filter(|name| first_required.contains(name)) {
            let mut values = Vec::new();
            for (properties, required) in &objects {
                let value = properties.get(name).and_then(|property| self.single_string_value(property));
                match value {
                    Some(value) if required.contains(name) && !values.contains(&value) => values.push(value),
                    _ => continue 'candidates,
                }
            }
            return Some((name.clone(), values));
        }
        None
    }

    /// Returns a union member's schema, following a reference.
    fn resolve_member<'m>(&'m self, member: &'m ReferenceOr<Schema>) -> Option<&'m Schema> {
        match member {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { reference } => self.resolve(reference),
        }
    }

    /// Returns the properties and required names of a union member that is an object.
    fn member_object<'m>(&'m self, member: &'m ReferenceOr<Schema>) -> Option<ObjectParts<'m>> {
        match &self.resolve_member(member)?.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Some((&object.properties, &object.required)),
            SchemaKind::Any(any) if !any.properties.is_empty() => Some((&any.properties, &any.required)),
            _ => None,
        }
    }

    /// Returns the value of a property schema that is a string enum of exactly one value.
    fn single_string_value(&self, property: &ReferenceOr<Box<Schema>>) -> Option<String> {
        let schema = match property {
            ReferenceOr::Item(schema) => schema.as_ref(),
            ReferenceOr::Reference { reference } => self.resolve(reference)?,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => match string.enumeration.as_slice() {
                [Some(value)] => Some(value.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Merges the members of an `allOf` into one struct. Returns `None` when the merged schema is
    /// not an object, so the caller lowers it as its single member or as any JSON value.
    fn lower_all_of(
        &mut self,
        name: &str,
        members: &[ReferenceOr<Schema>],
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Option<TypeKind> {
        if single_reference(members).is_some() {
            return None;
        }
        let mut merged = MergedObject::default();
        let mut visited = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = join_pointer(&join_pointer(pointer, "allOf"), &index.to_string());
            if !self.merge_member(member, &mut merged, &mut visited, &member_pointer, report) {
                report.warning(
                    &member_pointer,
                    "this `allOf` member is not an object schema, so the `allOf` is typed as `serde_json::Value`",
                );
                return None;
            }
        }
        let MergedObject { properties, required, additional } = merged;
        Some(self.lower_object(name, &properties, &required, additional.as_ref(), pointer, report))
    }

    /// Adds the properties of one `allOf` member, following references; returns `false` when the
    /// member is not an object.
    fn merge_member(
        &self,
        member: &ReferenceOr<Schema>,
        merged: &mut MergedObject,
        visited: &mut Vec<String>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> bool {
        let schema = match member {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix(SCHEMA_REF_PREFIX).map(unescape_pointer_token);
                let found = key.as_ref().and_then(|key| self.components.get(key));
                let (Some(key), Some(found)) = (key, found) else {
                    report.error(
                        &join_pointer(pointer, "$ref"),
                        format!("unresolvable schema reference `{reference}`"),
                        "point the `$ref` at an existing entry of `#/components/schemas`",
                    );
                    return true;
                };
                if visited.contains(&key) {
                    report.error(
                        pointer,
                        format!("`allOf` includes schema `{key}` in itself"),
                        "break the cycle: an `allOf` cannot contain the schema it defines",
                    );
                    return true;
                }
                visited.push(key.clone());
                let merged_ok =
                    self.merge_member(found, merged, visited, &join_pointer("/components/schemas", &key), report);
                visited.pop();
                return merged_ok;
            }
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                merged.add(&object.properties, &object.required, &object.additional_properties);
                true
            }
            SchemaKind::Any(any) if any.one_of.is_empty() && any.any_of.is_empty() && any.items.is_none() => {
                merged.add(&any.properties, &any.required, &any.additional_properties);
                for (index, inner) in any.all_of.iter().enumerate() {
                    let inner_pointer = join_pointer(&join_pointer(pointer, "allOf"), &index.to_string());
                    if !self.merge_member(inner, merged, visited, &inner_pointer, report) {
                        return false;
                    }
                }
                true
            }
            SchemaKind::AllOf { all_of } => all_of.iter().enumerate().all(|(index, inner)| {
                let inner_pointer = join_pointer(&join_pointer(pointer, "allOf"), &index.to_string());
                self.merge_member(inner, merged, visited, &inner_pointer, report)
            }),
            _ => false,
        }
    }
}

/// The properties and required property names of an object schema.
type ObjectParts<'m> = (&'m indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>, &'m Vec<String>);

/// Properties, required names and extra-property schema gathered from the members of an `allOf`.
#[derive(Default)]
struct MergedObject {
    properties: indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
    additional: Option<AdditionalProperties>,
}

impl MergedObject {
    fn add(
        &mut self,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: &Option<AdditionalProperties>,
    ) {
        for (name, property) in properties {
            self.properties.insert(name.clone(), property.clone());
        }
        for name in required {
            if !self.required.contains(name) {
                self.required.push(name.clone());
            }
        }
        if additional.is_some() {
            self.additional.clone_from(additional);
        }
    }
}

/// Builds an object schema from loose parts, as found beside an `allOf` in one schema.
fn object_schema(
    properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &[String],
    additional: &Option<AdditionalProperties>,
) -> Schema {
    Schema {
        schema_data: openapiv3::SchemaData::default(),
        schema_kind: SchemaKind::Type(Type::Object(openapiv3::ObjectType {
            properties: properties.clone(),
            required: required.to_vec(),
            additional_properties: additional.clone(),
            min_properties: None,
            max_properties: None,
        })),
    }
}

/// Returns the reference of an `allOf` whose only member is a `$ref`, a common way to attach a
/// description or `nullable` to a reference.
fn single_reference(members: &[ReferenceOr<Schema>]) -> Option<&str> {
    match members {
        [ReferenceOr::Reference { reference }] => Some(reference),
        _ => None,
    }
}

/// Returns the discriminator value of the variant at `reference`: its key in `mapping`, or else
/// the schema name, as OpenAPI 3.0 specifies.
fn tag_for(discriminator: &openapiv3::Discriminator, reference: &str) -> String {
    let schema_name = reference.rsplit('/').next().map(unescape_pointer_token).unwrap_or_default();
    discriminator
        .mapping
        .iter()
        .find(|(_, target)| *target == reference || **target == schema_name)
        .map(|(value, _)| value.clone())
        .unwrap_or(schema_name)
}

/// Returns a variant name for a union member of type `ty`.
fn variant_name(ty: &TypeRef, index: usize) -> String {
    match ty {
        TypeRef::Named(name) => name.clone(),
        TypeRef::Nullable(inner) => variant_name(inner, index),
        TypeRef::Vec(item) => format!("{}Array", variant_name(item, index)),
        TypeRef::Map(value) => format!("{}Map", variant_name(value, index)),
        TypeRef::String => "String".to_string(),
        TypeRef::Bool => "Boolean".to_string(),
        TypeRef::Json => format!("Variant{index}"),
        TypeRef::DateTime => "DateTime".to_string(),
        TypeRef::Date => "Date".to_string(),
        TypeRef::Uuid => "Uuid".to_string(),
        TypeRef::F32 | TypeRef::F64 => "Number".to_string(),
        _ => "Integer".to_string(),
    }
}

/// Returns the Rust type of a schema `openapiv3` could not classify, from its `type` and `format`.
fn any_type(any: &openapiv3::AnySchema) -> TypeRef {
    match any.typ.as_deref() {
        Some("string") => match any.format.as_deref() {
            Some("date-time") => TypeRef::DateTime,
            Some("date") => TypeRef::Date,
            _ => TypeRef::String,
        },
        Some("integer") => match any.format.as_deref() {
            Some(format) => integer_type(&VariantOrUnknownOrEmpty::Unknown(format.to_string())),
            None => TypeRef::I64,
        },
        Some("number") => match any.format.as_deref() {
            Some("float") => TypeRef::F32,
            _ => TypeRef::F64,
        },
        Some("boolean") => TypeRef::Bool,
        _ => TypeRef::Json,
    }
}

/// Returns the Rust integer type for an integer `format`, `i64` when none or an unknown one is given.
fn integer_type(format: &VariantOrUnknownOrEmpty<IntegerFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => TypeRef::I64,
        VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
            "int32" => TypeRef::I32,
            "int8" => TypeRef::I8,
            "int16" => TypeRef::I16,
            "uint8" => TypeRef::U8,
            "uint16" => TypeRef::U16,
            "uint32" => TypeRef::U32,
            "uint64" | "uint" => TypeRef::U64,
            _ => TypeRef::I64,
        },
        VariantOrUnknownOrEmpty::Empty => TypeRef::I64,
    }
}

/// Returns whether `schema` becomes a named type: an object with properties, an enum, a union or
/// an `allOf` that is more than one reference.
fn needs_name(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => !object.properties.is_empty(),
        SchemaKind::Any(any) => {
            !any.properties.is_empty() || !any.all_of.is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty()
        }
        SchemaKind::Type(Type::String(string)) => string.enumeration.iter().any(Option::is_some),
        SchemaKind::Type(Type::Integer(integer)) => integer.enumeration.iter().any(Option::is_some),
        SchemaKind::OneOf { one_of } => !one_of.is_empty(),
        SchemaKind::AnyOf { any_of } => !any_of.is_empty(),
        SchemaKind::AllOf { all_of } => single_reference(all_of).is_none(),
        _ => false,
    }
}

fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
        VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => TypeRef::Uuid,
        _ => TypeRef::String,
    }
}

/// Names the values of a string enum, dropping repeated values and numbering names that collide.
fn string_variants(values: &[String]) -> Vec<EnumVariant> {
    let mut names = Scope::with_reserved(&["Unknown"]);
    let mut seen = std::collections::BTreeSet::new();
    values
        .iter()
        .filter(|value| seen.insert(value.as_str()))
        .map(|value| {
            let wanted = if value.is_empty() { "Empty".to_string() } else { naming::type_name(value, "Value") };
            EnumVariant { name: names.claim(&wanted), value: value.clone() }
        })
        .collect()
}

/// Names the values of an integer enum, dropping repeated values.
fn integer_variants(values: &[i64]) -> Vec<IntegerVariant> {
    let mut names = Scope::with_reserved(&["Unknown"]);
    let mut seen = std::collections::BTreeSet::new();
    values
        .iter()
        .filter(|value| seen.insert(**value))
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

/// Returns the documentation of a property: its title and description, then its default value
/// and whether it is read-only or write-only.
fn property_doc(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    let mut notes = Vec::new();
    if let Some(default) = &data.default {
        notes.push(format!("Defaults to `{default}` when the property is absent."));
    }
    if data.read_only {
        notes.push("Read-only: sent by the server, ignored in requests.".to_string());
    }
    if data.write_only {
        notes.push("Write-only: sent in requests, never returned.".to_string());
    }
    let doc = schema_doc(schema);
    if notes.is_empty() {
        return doc;
    }
    let notes = notes.join(" ");
    Some(match doc {
        Some(doc) => format!("{doc}\n\n{notes}"),
        None => notes,
    })
}

/// Undoes RFC 6901 escaping of one pointer token.
pub(crate) fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
