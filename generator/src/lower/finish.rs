//! Passes over the complete set of named types, run once every schema is lowered.

use std::collections::BTreeMap;

use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Orders the variants of every untagged union so that serde, which tries them in order, picks
/// the most specific one: objects with more required properties first, any JSON value last.
pub(super) fn order_union_variants(types: &mut [TypeDef]) {
    let required_counts: BTreeMap<String, Rank> =
        types.iter().map(|definition| (definition.name.clone(), named_rank(&definition.kind))).collect();
    for definition in types.iter_mut() {
        if let TypeKind::Union { variants, tag: None } = &mut definition.kind {
            let mut ranked: Vec<_> = variants.drain(..).enumerate().collect();
            ranked.sort_by_key(|(index, variant)| (rank(&variant.ty, &required_counts), *index));
            variants.extend(ranked.into_iter().map(|(_, variant)| variant));
        }
    }
}

/// Sort key of a union variant: a class, then the negated number of required fields.
type Rank = (u8, i64);

fn named_rank(kind: &TypeKind) -> Rank {
    match kind {
        TypeKind::Struct { fields, .. } => {
            let required = fields.iter().filter(|field| field.required).count() as i64;
            if required > 0 {
                (0, -required)
            } else {
                (2, 0)
            }
        }
        TypeKind::Union { .. } => (1, 0),
        TypeKind::IntegerEnum { .. } => (6, 0),
        TypeKind::StringEnum { .. } => (9, 0),
        TypeKind::Alias { .. } => (10, 0),
    }
}

fn rank(ty: &TypeRef, named: &BTreeMap<String, Rank>) -> Rank {
    match ty {
        TypeRef::Named(name) => named.get(name).copied().unwrap_or((10, 0)),
        TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => rank(inner, named),
        TypeRef::Map(_) => (3, 0),
        TypeRef::Vec(_) => (4, 0),
        TypeRef::Bool => (5, 0),
        TypeRef::I8 | TypeRef::I16 | TypeRef::I32 | TypeRef::I64 => (6, 0),
        TypeRef::U8 | TypeRef::U16 | TypeRef::U32 | TypeRef::U64 => (6, 1),
        TypeRef::F32 | TypeRef::F64 => (7, 0),
        TypeRef::DateTime | TypeRef::Date | TypeRef::Uuid => (8, 0),
        TypeRef::String => (10, 1),
        TypeRef::Json => (11, 0),
    }
}

/// Boxes every struct field and union variant through which a type contains itself, so that
/// recursive schemas give types of finite size.
pub(super) fn box_recursive_references(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> =
        types.iter().enumerate().map(|(position, definition)| (definition.name.clone(), position)).collect();
    let mut edges: Vec<Vec<usize>> = types
        .iter()
        .map(|definition| inline_targets(&definition.kind).filter_map(|name| index.get(name).copied()).collect())
        .collect();
    for (position, definition) in types.iter_mut().enumerate() {
        let mut slots: Vec<&mut TypeRef> = match &mut definition.kind {
            TypeKind::Struct { fields, .. } => fields.iter_mut().map(|field| &mut field.ty).collect(),
            TypeKind::Union { variants, .. } => variants.iter_mut().map(|variant| &mut variant.ty).collect(),
            _ => Vec::new(),
        };
        for slot in slots.iter_mut() {
            let target = inline_target(slot).and_then(|name| index.get(name).copied());
            let Some(target) = target else { continue };
            if reaches(target, position, &edges) {
                box_in_place(slot);
                // The boxed edge no longer stores the target inline, so later types in the same
                // cycle need no box of their own.
                if let Some(found) = edges[position].iter().position(|edge| *edge == target) {
                    edges[position].remove(found);
                }
            }
        }
    }
}

/// Names of the types stored inline (not behind a `Vec`, map or `Box`) in a type of this kind.
fn inline_targets(kind: &TypeKind) -> Box<dyn Iterator<Item = &str> + '_> {
    match kind {
        TypeKind::Struct { fields, .. } => Box::new(fields.iter().filter_map(|field| inline_target(&field.ty))),
        TypeKind::Union { variants, .. } => Box::new(variants.iter().filter_map(|variant| inline_target(&variant.ty))),
        TypeKind::Alias { target } => Box::new(inline_target(target).into_iter()),
        TypeKind::StringEnum { .. } | TypeKind::IntegerEnum { .. } => Box::new(std::iter::empty()),
    }
}

fn inline_target(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::Nullable(inner) => inline_target(inner),
        _ => None,
    }
}

/// Returns whether `to` can be reached from `from` through inline storage.
fn reaches(from: usize, to: usize, edges: &[Vec<usize>]) -> bool {
    let mut stack = vec![from];
    let mut seen = vec![false; edges.len()];
    while let Some(current) = stack.pop() {
        if current == to {
            return true;
        }
        if std::mem::replace(&mut seen[current], true) {
            continue;
        }
        stack.extend(edges[current].iter().copied());
    }
    false
}

fn box_in_place(slot: &mut TypeRef) {
    match slot {
        TypeRef::Nullable(inner) => box_in_place(inner),
        other => {
            let named = std::mem::replace(other, TypeRef::Json);
            *other = TypeRef::Boxed(Box::new(named));
        }
    }
}
