//! Bytes in JSON as base64 text (`#[serde(with = "crate::base64_bytes")]`): files travel
//! through the inbox and the outbox as JSON, and an array of numbers would be four times
//! their size.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serializer};

/// `bytes` as base64 text (a file kept in a text column).
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The bytes of base64 `text`.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(text)
}

pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(bytes))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(deserializer)?;
    STANDARD.decode(text).map_err(serde::de::Error::custom)
}

/// The same for `Option<Vec<u8>>`.
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_some(&STANDARD.encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| STANDARD.decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct File {
        #[serde(with = "super")]
        bytes: Vec<u8>,
        #[serde(default, with = "super::option")]
        maybe: Option<Vec<u8>>,
    }

    #[test]
    fn bytes_survive_a_round_trip_through_json_as_base64_text() {
        let file = File {
            bytes: vec![0, 1, 254, 255],
            maybe: Some(b"a,b\n".to_vec()),
        };
        let json = serde_json::to_string(&file).expect("serialises");
        assert_eq!(json, r#"{"bytes":"AAH+/w==","maybe":"YSxiCg=="}"#);
        assert_eq!(serde_json::from_str::<File>(&json).expect("parses"), file);
    }
}
