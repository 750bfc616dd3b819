//! Emission of named types: structs, enums with a catch-all variant, unions and aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attributes, ident, rust_type};
use crate::ir::{EnumVariant, Field, IntegerVariant, TypeDef, TypeKind, TypeRef, UnionVariant};

/// Emits `types.rs`: one item per named type, in name order.
pub(super) fn emit_types(types: &[TypeDef]) -> TokenStream {
    let items = types.iter().map(emit_type);
    quote! {
        //! Types of the request and response bodies described by the spec's schemas.

        #( #items )*
    }
}

fn emit_type(definition: &TypeDef) -> TokenStream {
    let doc = doc_attributes(definition.doc.as_deref().or(Some(&format!("`{}`", definition.name))));
    match &definition.kind {
        TypeKind::Struct { fields, additional } => emit_struct(&definition.name, doc, fields, additional.as_ref()),
        TypeKind::StringEnum { variants } => emit_string_enum(&definition.name, doc, variants),
        TypeKind::IntegerEnum { variants } => emit_integer_enum(&definition.name, doc, variants),
        TypeKind::Union { variants, tag } => emit_union(&definition.name, doc, variants, tag.as_deref()),
        TypeKind::Alias { target } => {
            let name = ident(&definition.name);
            let target = rust_type(target);
            quote! { #doc pub type #name = #target; }
        }
    }
}

fn emit_struct(name: &str, doc: TokenStream, fields: &[Field], additional: Option<&TypeRef>) -> TokenStream {
    let type_ident = ident(name);
    let sensitive = fields.iter().any(|field| field.sensitive);
    let derives = if sensitive {
        quote! { #[derive(Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)] }
    } else {
        quote! { #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)] }
    };
    let field_items = fields.iter().map(|field| emit_field(name, field));
    let default_functions = emit_default_functions(name, fields);
    // Unknown properties are ignored unless the schema declares `additionalProperties`.
    let additional_field = additional.map(|value| {
        let value = rust_type(value);
        quote! {
            /// Properties not declared by the schema, by name.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #value>,
        }
    });
    let debug_impl = sensitive.then(|| emit_redacting_debug(name, fields, additional.is_some()));
    quote! {
        #doc
        #derives
        pub struct #type_ident {
            #( #field_items )*
            #additional_field
        }

        #default_functions

        #debug_impl
    }
}

/// Returns the expression of a field's default value, when the spec gives one that fits the
/// field's type; other defaults stay in the documentation only.
fn default_expression(field: &Field) -> Option<TokenStream> {
    use serde_json::Value;
    let value = field.default.as_ref()?;
    if field.required {
        return None;
    }
    let expression = match (&field.ty, value) {
        (TypeRef::Bool, Value::Bool(flag)) => quote! { #flag },
        (TypeRef::String, Value::String(text)) => quote! { ::std::string::ToString::to_string(#text) },
        (TypeRef::F64, Value::Number(number)) => {
            let literal = proc_macro2::Literal::f64_suffixed(number.as_f64()?);
            quote! { #literal }
        }
        (TypeRef::F32, Value::Number(number)) => {
            let literal = proc_macro2::Literal::f32_suffixed(number.as_f64()? as f32);
            quote! { #literal }
        }
        (integer, Value::Number(number)) => integer_literal(integer, number.as_i64()?)?,
        _ => return None,
    };
    Some(expression)
}

/// Returns a suffixed literal of `value` when it fits the integer type `ty`.
fn integer_literal(ty: &TypeRef, value: i64) -> Option<TokenStream> {
    let literal = match ty {
        TypeRef::I8 => proc_macro2::Literal::i8_suffixed(i8::try_from(value).ok()?),
        TypeRef::I16 => proc_macro2::Literal::i16_suffixed(i16::try_from(value).ok()?),
        TypeRef::I32 => proc_macro2::Literal::i32_suffixed(i32::try_from(value).ok()?),
        TypeRef::I64 => proc_macro2::Literal::i64_suffixed(value),
        TypeRef::U8 => proc_macro2::Literal::u8_suffixed(u8::try_from(value).ok()?),
        TypeRef::U16 => proc_macro2::Literal::u16_suffixed(u16::try_from(value).ok()?),
        TypeRef::U32 => proc_macro2::Literal::u32_suffixed(u32::try_from(value).ok()?),
        TypeRef::U64 => proc_macro2::Literal::u64_suffixed(u64::try_from(value).ok()?),
        _ => return None,
    };
    Some(quote! { #literal })
}

/// Name of the function that returns a field's default, for `#[serde(default = "...")]`.
fn default_function_name(field: &Field) -> proc_macro2::Ident {
    quote::format_ident!("default_{}", field.name.trim_start_matches("r#"))
}

/// Emits the functions that serde calls for absent properties that have a default.
fn emit_default_functions(name: &str, fields: &[Field]) -> Option<TokenStream> {
    let functions: Vec<TokenStream> = fields
        .iter()
        .filter_map(|field| {
            let expression = default_expression(field)?;
            let function = default_function_name(field);
            let ty = rust_type(&field.ty);
            Some(quote! {
                fn #function() -> ::std::option::Option<#ty> {
                    ::std::option::Option::Some(#expression)
                }
            })
        })
        .collect();
    if functions.is_empty() {
        return None;
    }
    let type_ident = ident(name);
    Some(quote! {
        impl #type_ident {
            #( #functions )*
        }
    })
}

fn emit_field(struct_name: &str, field: &Field) -> TokenStream {
    let name = ident(&field.name);
    let json_name = &field.json_name;
    let doc = doc_attributes(field.doc.as_deref().or(Some(&format!("`{json_name}`"))));
    let rename = (field.name.trim_start_matches("r#") != json_name).then(|| quote! { #[serde(rename = #json_name)] });
    let ty = rust_type(&field.ty);
    if field.required {
        quote! { #doc #rename pub #name: #ty, }
    } else {
        // `default` makes an absent property `None`, or `Some` of the schema's default when it
        // has one; `null` is `None` through `Option` itself.
        let default = match default_expression(field) {
            Some(_) => format!("{struct_name}::{}", default_function_name(field)),
            None => String::new(),
        };
        let default = if default.is_empty() {
            quote! { default }
        } else {
            quote! { default = #default }
        };
        quote! {
            #doc
            #rename
            #[serde(#default, skip_serializing_if = "::std::option::Option::is_none")]
            pub #name: ::std::option::Option<#ty>,
        }
    }
}

/// Emits a `Debug` that prints `<redacted>` for fields marked `x-sensitive`.
fn emit_redacting_debug(name: &str, fields: &[Field], additional: bool) -> TokenStream {
    let type_ident = ident(name);
    let entries = fields.iter().map(|field| {
        let label = field.name.trim_start_matches("r#");
        let member = ident(&field.name);
        match (field.sensitive, field.required) {
            (false, _) => quote! { .field(#label, &self.#member) },
            (true, true) => quote! { .field(#label, &"<redacted>") },
            (true, false) => quote! { .field(#label, &self.#member.as_ref().map(|_| "<redacted>")) },
        }
    });
    let additional = additional.then(|| quote! { .field("additional_properties", &self.additional_properties) });
    quote! {
        impl ::std::fmt::Debug for #type_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name)
                    #( #entries )*
                    #additional
                    .finish()
            }
        }
    }
}

fn emit_string_enum(name: &str, doc: TokenStream, variants: &[EnumVariant]) -> TokenStream {
    let type_ident = ident(name);
    let names: Vec<_> = variants.iter().map(|variant| ident(&variant.name)).collect();
    let values: Vec<_> = variants.iter().map(|variant| variant.value.as_str()).collect();
    let variant_docs = values.iter().map(|value| format!(" `{value}`"));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #type_ident {
            #( #[doc = #variant_docs] #names, )*
            /// A value this version of the spec does not list, kept as received.
            Unknown(::std::string::String),
        }

        impl #type_ident {
            /// Returns the value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#names => #values, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for #type_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #type_ident {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#names, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::serde::Serialize for #type_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #type_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    }
}

fn emit_integer_enum(name: &str, doc: TokenStream, variants: &[IntegerVariant]) -> TokenStream {
    let type_ident = ident(name);
    let names: Vec<_> = variants.iter().map(|variant| ident(&variant.name)).collect();
    let values: Vec<_> = variants.iter().map(|variant| variant.value).collect();
    let variant_docs = values.iter().map(|value| format!(" `{value}`"));
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #type_ident {
            #( #[doc = #variant_docs] #names, )*
            /// A value this version of the spec does not list, kept as received.
            Unknown(i64),
        }

        impl #type_ident {
            /// Returns the value as sent on the wire.
            pub fn value(self) -> i64 {
                match self {
                    #( Self::#names => #values, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #type_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::std::convert::From<i64> for #type_ident {
            fn from(value: i64) -> Self {
                match value {
                    #( #values => Self::#names, )*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::serde::Serialize for #type_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #type_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <i64 as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    }
}

fn emit_union(name: &str, doc: TokenStream, variants: &[UnionVariant], tag: Option<&str>) -> TokenStream {
    match tag {
        Some(tag) => emit_tagged_union(name, doc, variants, tag),
        None => emit_untagged_union(name, doc, variants),
    }
}

/// Emits a union serde decodes by trying each variant in order.
fn emit_untagged_union(name: &str, doc: TokenStream, variants: &[UnionVariant]) -> TokenStream {
    let type_ident = ident(name);
    let names = variants.iter().map(|variant| ident(&variant.name));
    let types = variants.iter().map(|variant| rust_type(&variant.ty));
    let variant_docs = variants.iter().map(|variant| format!(" A value of the `{}` alternative.", variant.name));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(untagged)]
        pub enum #type_ident {
            #( #[doc = #variant_docs] #names(#types), )*
        }
    }
}

/// Emits a union chosen by the value of a discriminator property. The property stays in the
/// object handed to the variant, so variant structs that declare it still decode, and a value
/// this version of the spec does not list is kept as JSON.
fn emit_tagged_union(name: &str, doc: TokenStream, variants: &[UnionVariant], tag: &str) -> TokenStream {
    let type_ident = ident(name);
    let names: Vec<_> = variants.iter().map(|variant| ident(&variant.name)).collect();
    let types = variants.iter().map(|variant| rust_type(&variant.ty));
    let values: Vec<&str> = variants.iter().map(|variant| variant.tag_value.as_deref().unwrap_or("")).collect();
    let variant_docs = values.iter().map(|value| format!(" The object whose `{tag}` is `{value}`."));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub enum #type_ident {
            #( #[doc = #variant_docs] #names(#types), )*
            /// An object whose discriminator value this version of the spec does not list, kept as received.
            Unknown(::serde_json::Value),
        }

        impl ::serde::Serialize for #type_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #( Self::#names(value) => ::serde::Serialize::serialize(value, serializer), )*
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #type_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                match tag.as_deref() {
                    #( ::std::option::Option::Some(#values) => ::serde_json::from_value(value).map(Self::#names).map_err(<D::Error as ::serde::de::Error>::custom), )*
                    _ => ::std::result::Result::Ok(Self::Unknown(value)),
                }
            }
        }
    }
}
