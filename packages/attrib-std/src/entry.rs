//! Entry points that read each message straight into sylvia's generated enums.
//!
//! sylvia 1.3's `entry_points` deserializes every execute and query message into an
//! intermediate value tree (`serde_cw_value::Value`) and then a second time into the
//! contract's or an interface's enum. That tree and its deserializer were about a seventh
//! of a contract's wasm (profiled with twiggy; see the README's toolchain section). Here
//! the message's single top-level key picks the enum as the JSON is read, and the rest of
//! the message is read once, into that enum. sylvia's generated `dispatch` still runs the
//! message, so behaviour, the JSON API and the schemas are unchanged.
//!
//! Where it reads differently from sylvia (found by review; pinned by the tests below):
//! - a duplicate key — two messages, or a field twice — is refused; sylvia kept the last;
//! - the value of a field no message has is skipped as serde-json-wasm skips it for every
//!   type it reads (state, hooks): unparsed, so `{"accept_admin":{"x":1.5}}` runs
//!   `accept_admin`, which sylvia's value tree refused (it cannot hold floats). Such a
//!   field is ignored either way; wasmd already refuses execute messages that are not
//!   valid JSON;
//! - serde's sequence form of a struct (`[a, b]` for `{"x": a, "y": b}`) is refused.
//!
//! A contract declares its entry points with [`entry_points!`](crate::entry_points):
//!
//! ```ignore
//! attrib_std::entry_points!(RegistryContract, ContractError, [governance, review_target]);
//! ```
//! next to its `#[contract]` impl, naming the `attrib_std::interfaces` it implements in
//! `#[sv::messages(...)]`.

use core::fmt;
use core::marker::PhantomData;

pub use serde::de::MapAccess as MessageReader;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, IntoDeserializer, MapAccess, VariantAccess,
    Visitor,
};
use serde::Deserialize;

/// A sylvia glue message (the contract's own messages and its interfaces'), built from
/// the name of the message and the reader positioned on its body.
pub trait Routed: Sized {
    /// Reads the message called `name` from the value `map` is positioned on.
    fn route<'de, A: MapAccess<'de>>(name: &str, map: &mut A) -> Result<Self, A::Error>;

    /// Every message name, for the error that names an unknown one.
    fn names() -> &'static [&'static [&'static str]];
}

/// An entry point's message: exactly one top-level key, routed by [`Routed`].
pub struct Msg<T>(pub T);

impl<'de, T: Routed> Deserialize<'de> for Msg<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MsgVisitor(PhantomData))
    }
}

struct MsgVisitor<T>(PhantomData<T>);

impl<'de, T: Routed> Visitor<'de> for MsgVisitor<T> {
    type Value = Msg<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with exactly one message")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(name) = map.next_key::<String>()? else {
            return Err(de::Error::custom("Expected exactly one message. Received 0"));
        };
        let msg = T::route(&name, &mut map)?;
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("Expected exactly one message. Received more"));
        }
        Ok(Msg(msg))
    }
}

/// The error for a message name no enum of `T` has, listing the ones it has.
pub fn unsupported<T: Routed, E: de::Error>(name: &str) -> E {
    let mut text = format!("Unsupported message received: {name}. Messages supported by this contract: ");
    for (i, n) in T::names().iter().flat_map(|names| names.iter()).enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(n);
    }
    E::custom(text)
}

/// Reads the externally tagged enum `E` whose tag, `name`, was already read from `map`.
pub fn variant<'de, E: Deserialize<'de>, A: MapAccess<'de>>(name: &str, map: &mut A) -> Result<E, A::Error> {
    E::deserialize(Tagged { name, map })
}

/// A deserializer for one enum value whose tag has been read: the tag is `name`, the
/// variant's content is the map's next value.
struct Tagged<'a, A> {
    name: &'a str,
    map: &'a mut A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Tagged<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Tagged<'_, A> {
    type Error = A::Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), A::Error> {
        let tag = seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(self.name))?;
        Ok((tag, self))
    }
}

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Tagged<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.map.next_value::<()>()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(TupleBody(len, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(StructBody(fields, visitor))
    }
}

/// The content of a tuple variant, read as a sequence.
struct TupleBody<V>(usize, V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for TupleBody<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_tuple(self.0, self.1)
    }
}

/// The content of a struct variant, read as a map. (A separate seed from
/// [`TupleBody`]: one seed for both shapes instantiated a sequence reader for every
/// struct message too, code no message used.)
struct StructBody<V>(&'static [&'static str], V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructBody<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_struct("", self.0, self.1)
    }
}

/// Declares a contract's `instantiate`, `execute`, `query` and `migrate` entry points
/// (unless the crate's `library` feature is on), reading execute and query messages
/// through [`Routed`]. Arguments: the contract type, its error type, and the
/// `attrib_std::interfaces` modules named in its `#[sv::messages(...)]` attributes.
/// Must stand in the module of the `#[contract]` impl (it uses that module's `sv`).
#[macro_export]
macro_rules! entry_points {
    ($contract:ty, $error:ty, [$($iface:ident),* $(,)?]) => {
        $crate::entry_points!(@routed $contract, sv::ContractExecMsg, Exec, execute_messages, [$($iface),*]);
        $crate::entry_points!(@routed $contract, sv::ContractQueryMsg, Query, query_messages, [$($iface),*]);

        #[cfg(not(feature = "library"))]
        pub mod entry_points {
            use super::*;
            use ::cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};

            #[::cosmwasm_std::entry_point]
            pub fn instantiate(
                deps: DepsMut,
                env: Env,
                info: MessageInfo,
                msg: sv::InstantiateMsg,
            ) -> Result<Response, $error> {
                msg.dispatch(&<$contract>::new(), (deps, env, info)).map_err(Into::into)
            }

            #[::cosmwasm_std::entry_point]
            pub fn execute(
                deps: DepsMut,
                env: Env,
                info: MessageInfo,
                msg: $crate::entry::Msg<sv::ContractExecMsg>,
            ) -> Result<Response, $error> {
                msg.0.dispatch(&<$contract>::new(), (deps, env, info)).map_err(Into::into)
            }

            #[::cosmwasm_std::entry_point]
            pub fn query(
                deps: Deps,
                env: Env,
                msg: $crate::entry::Msg<sv::ContractQueryMsg>,
            ) -> Result<Binary, $error> {
                msg.0.dispatch(&<$contract>::new(), (deps, env)).map_err(Into::into)
            }

            #[::cosmwasm_std::entry_point]
            pub fn migrate(deps: DepsMut, env: Env, msg: sv::MigrateMsg) -> Result<Response, $error> {
                msg.dispatch(&<$contract>::new(), (deps, env)).map_err(Into::into)
            }
        }
    };
    (@routed $contract:ty, $glue:ty, $kind:ident, $names:ident, [$($iface:ident),*]) => {
        impl $crate::entry::Routed for $glue {
            fn route<'de, A: $crate::entry::MessageReader<'de>>(
                name: &str,
                map: &mut A,
            ) -> Result<Self, A::Error> {
                $(
                    if $crate::interfaces::$iface::sv::$names().contains(&name) {
                        return $crate::entry::variant::<
                            <$contract as $crate::interfaces::$iface::sv::InterfaceMessagesApi>::$kind,
                            A,
                        >(name, map)
                        .map(Into::into);
                    }
                )*
                if sv::$names().contains(&name) {
                    return $crate::entry::variant::<
                        <$contract as ::sylvia::types::ContractApi>::$kind,
                        A,
                    >(name, map)
                    .map(Into::into);
                }
                Err($crate::entry::unsupported::<Self, A::Error>(name))
            }

            fn names() -> &'static [&'static [&'static str]] {
                const NAMES: &[&[&str]] = &[$(&$crate::interfaces::$iface::sv::$names(),)* &sv::$names()];
                NAMES
            }
        }
    };
}

/// For tests: `json` reads as the same message through [`Msg`] as through sylvia's own
/// glue deserializer, or is refused by both. Returns whether it was accepted.
#[track_caller]
pub fn assert_reads_like_sylvia<T>(json: &str) -> bool
where
    T: Routed + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
{
    let ours = cosmwasm_std::from_json::<Msg<T>>(json.as_bytes()).map(|m| m.0);
    let sylvias = cosmwasm_std::from_json::<T>(json.as_bytes());
    match (ours, sylvias) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{json}");
            true
        }
        (Err(_), Err(_)) => false,
        (a, b) => panic!("{json}: entry layer {a:?}, sylvia {b:?}"),
    }
}

/// Execute messages every Attrib contract must read as sylvia does: governance, and the
/// shapes sylvia refuses (wrong types, no or two messages, unknown names, no object).
pub const COMMON_EXEC_SAMPLES: &[&str] = &[
    r#"{"propose_admin":{"new_admin":"addr"}}"#,
    r#"{"accept_admin":{}}"#,
    r#"{"set_paused":{"paused":true}}"#,
    r#"{"set_paused":{"paused":"yes"}}"#,
    r#"{"set_paused":{}}"#,
    r#"{}"#,
    r#"[]"#,
    r#""accept_admin""#,
    r#"{"steal":{}}"#,
    r#"{"accept_admin":{},"set_paused":{"paused":true}}"#,
    r#"{"accept_admin":null}"#,
    r#"{"accept_admin":{"extra":1}}"#,
    r#"{"set_peers":{"peers":{"registry":"r","reward_pool":"p"}}}"#,
    r#"{"set_peers":{"peers":{}}}"#,
    r#"{"set_peers":{"peers":{"treasury":"t"}}}"#,
    r#"{"set_peers":{}}"#,
];

/// Query messages every Attrib contract must read as sylvia does (each has `config`).
pub const COMMON_QUERY_SAMPLES: &[&str] = &[
    r#"{"governance":{}}"#,
    r#"{"governance":{}, "config":{}}"#,
    r#"{"config":{}}"#,
    r#"{"peers":{}}"#,
    r#"{"nope":{}}"#,
    r#"{}"#,
];

/// For tests: the common samples and a contract's own read as sylvia reads them (see
/// [`assert_reads_like_sylvia`]). Returns how many execute and query messages were read.
#[track_caller]
pub fn assert_entry_parity<E, Q>(exec: &[&str], query: &[&str]) -> (usize, usize)
where
    E: Routed + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
    Q: Routed + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
{
    let read = |samples: &[&str], own: &[&str], check: fn(&str) -> bool| {
        samples.iter().chain(own).filter(|m| check(m)).count()
    };
    (
        read(COMMON_EXEC_SAMPLES, exec, assert_reads_like_sylvia::<E>),
        read(COMMON_QUERY_SAMPLES, query, assert_reads_like_sylvia::<Q>),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::from_json;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Own {
        Pay { amount: u64, memo: Option<String> },
        Close {},
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Iface {
        Pause {},
    }

    #[derive(Debug, PartialEq)]
    enum Glue {
        Own(Own),
        Iface(Iface),
    }

    impl Routed for Glue {
        fn route<'de, A: MapAccess<'de>>(name: &str, map: &mut A) -> Result<Self, A::Error> {
            match name {
                "pause" => variant(name, map).map(Glue::Iface),
                "pay" | "close" => variant(name, map).map(Glue::Own),
                _ => Err(unsupported::<Self, A::Error>(name)),
            }
        }
        fn names() -> &'static [&'static [&'static str]] {
            &[&["pause"], &["close", "pay"]]
        }
    }

    fn read(json: &str) -> Result<Glue, String> {
        from_json::<Msg<Glue>>(json.as_bytes())
            .map(|m| m.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn routes_by_the_top_level_key() {
        assert_eq!(
            read(r#"{"pay":{"amount":7,"memo":"x"}}"#).unwrap(),
            Glue::Own(Own::Pay {
                amount: 7,
                memo: Some("x".into())
            })
        );
        assert_eq!(
            read(r#" { "pay" : { "amount" : 1 } } "#).unwrap(),
            Glue::Own(Own::Pay {
                amount: 1,
                memo: None
            })
        );
        assert_eq!(read(r#"{"close":{}}"#).unwrap(), Glue::Own(Own::Close {}));
        assert_eq!(read(r#"{"pause":{}}"#).unwrap(), Glue::Iface(Iface::Pause {}));
    }

    #[test]
    fn differs_from_sylvia_only_where_documented() {
        // Duplicates are refused (sylvia kept the last one).
        assert!(read(r#"{"close":{},"close":{}}"#)
            .unwrap_err()
            .contains("Expected exactly one message"));
        assert!(read(r#"{"pay":{"amount":1,"amount":2}}"#)
            .unwrap_err()
            .contains("duplicate field"));
        // Fields no message has are skipped unparsed, as for everything serde-json-wasm reads.
        assert_eq!(read(r#"{"close":{"x":1.5}}"#).unwrap(), Glue::Own(Own::Close {}));
        assert_eq!(
            read(r#"{"pay":{"amount":3,"memo":null,"x":[1e3]}}"#).unwrap(),
            Glue::Own(Own::Pay {
                amount: 3,
                memo: None
            })
        );
    }

    #[test]
    fn refuses_what_sylvia_refuses() {
        let unknown = read(r#"{"steal":{}}"#).unwrap_err();
        assert!(
            unknown.contains("Unsupported message received: steal"),
            "{unknown}"
        );
        assert!(unknown.contains("pause, close, pay"), "{unknown}");
        assert!(read(r#"{}"#)
            .unwrap_err()
            .contains("Expected exactly one message"));
        assert!(read(r#"{"close":{},"pause":{}}"#)
            .unwrap_err()
            .contains("Expected exactly one message"));
        assert!(read(r#"{"pay":{"memo":"x"}}"#).unwrap_err().contains("amount"));
        assert!(read(r#"{"pay":{"amount":"seven"}}"#).is_err());
        assert!(read(r#""pay""#).is_err());
        assert!(read(r#"{"pay":{"amount":1}"#).is_err());
        assert!(read(r#"{"pay":{"amount":1}} trailing"#).is_err());
    }
}
