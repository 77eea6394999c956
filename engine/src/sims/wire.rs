//! Bounds-checked little-endian reading and writing of fixed-layout game packets.
//!
//! Written by hand because the games' layouts are C structs read at known offsets:
//! `bytes::Buf` panics on short input and `byteorder` has no offset-based, fallible
//! reads. Every read here returns a [`PacketError`] instead of panicking.

use super::PacketError;

/// Reads little-endian values at offsets of one packet.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

macro_rules! read_at {
    ($name:ident, $ty:ty) => {
        #[doc = concat!("The `", stringify!($ty), "` at `offset`.")]
        pub fn $name(&self, offset: usize) -> Result<$ty, PacketError> {
            let bytes = self.slice(offset, std::mem::size_of::<$ty>())?;
            Ok(<$ty>::from_le_bytes(bytes.try_into().expect("slice has the type's size")))
        }
    };
}

impl<'a> Reader<'a> {
    /// `what` names the packet in errors.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    /// Fails unless the packet is exactly `size` bytes.
    pub fn exact(bytes: &'a [u8], size: usize, what: &'static str) -> Result<Self, PacketError> {
        if bytes.len() != size {
            return Err(PacketError::Size { what, expected: size, got: bytes.len() });
        }
        Ok(Reader { bytes, what })
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// `len` bytes at `offset`.
    pub fn slice(&self, offset: usize, len: usize) -> Result<&'a [u8], PacketError> {
        offset.checked_add(len).and_then(|end| self.bytes.get(offset..end)).ok_or(PacketError::Truncated {
            what: self.what,
            needed: offset.saturating_add(len),
            got: self.bytes.len(),
        })
    }

    read_at!(u8, u8);
    read_at!(i8, i8);
    read_at!(u16, u16);
    read_at!(i16, i16);
    read_at!(u32, u32);
    read_at!(i32, i32);
    read_at!(u64, u64);
    read_at!(f32, f32);
    read_at!(f64, f64);

    /// Four consecutive `f32`s (a per-wheel array) at `offset`.
    pub fn f32x4(&self, offset: usize) -> Result<[f32; 4], PacketError> {
        Ok([self.f32(offset)?, self.f32(offset + 4)?, self.f32(offset + 8)?, self.f32(offset + 12)?])
    }

    /// A NUL-terminated UTF-16LE string in a fixed field of `units` code units.
    pub fn utf16z(&self, offset: usize, units: usize, field: &'static str) -> Result<String, PacketError> {
        let bytes = self.slice(offset, units * 2)?;
        let code_units: Vec<u16> =
            bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).take_while(|&u| u != 0).collect();
        String::from_utf16(&code_units).map_err(|_| PacketError::BadString(field))
    }

    /// A NUL-terminated single-byte string in a fixed field of `len` bytes
    /// (UTF-8 where valid, otherwise Latin-1 as the older games write it).
    pub fn cstr(&self, offset: usize, len: usize) -> Result<String, PacketError> {
        let bytes = self.slice(offset, len)?;
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        Ok(match std::str::from_utf8(&bytes[..end]) {
            Ok(text) => text.to_string(),
            Err(_) => bytes[..end].iter().map(|&b| b as char).collect(),
        })
    }
}

/// Reads a packet front to back (for variable-length formats such as ACC's
/// broadcasting messages).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    reader: Reader<'a>,
    position: usize,
}

macro_rules! read_next {
    ($name:ident, $ty:ty) => {
        #[doc = concat!("The next `", stringify!($ty), "`.")]
        pub fn $name(&mut self) -> Result<$ty, PacketError> {
            let value = self.reader.$name(self.position)?;
            self.position += std::mem::size_of::<$ty>();
            Ok(value)
        }
    };
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Cursor { reader: Reader::new(bytes, what), position: 0 }
    }

    pub fn position(&self) -> usize {
        self.position
    }

    pub fn remaining(&self) -> usize {
        self.reader.len().saturating_sub(self.position)
    }

    read_next!(u8, u8);
    read_next!(i8, i8);
    read_next!(u16, u16);
    read_next!(i16, i16);
    read_next!(u32, u32);
    read_next!(i32, i32);
    read_next!(f32, f32);

    /// The next `len` bytes.
    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], PacketError> {
        let bytes = self.reader.slice(self.position, len)?;
        self.position += len;
        Ok(bytes)
    }

    /// A string as a `u16` byte length followed by UTF-8 (ACC broadcasting).
    pub fn string_u16(&mut self, field: &'static str) -> Result<String, PacketError> {
        let len = self.u16()? as usize;
        let bytes = self.bytes(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| PacketError::BadString(field))
    }
}

/// Builds little-endian packets (requests to games, and the emulators' packets).
#[derive(Debug, Clone, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

macro_rules! write_next {
    ($name:ident, $ty:ty) => {
        #[doc = concat!("Appends a `", stringify!($ty), "`.")]
        pub fn $name(&mut self, value: $ty) -> &mut Self {
            self.bytes.extend_from_slice(&value.to_le_bytes());
            self
        }
    };
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    /// A packet of `size` zero bytes, to be filled at offsets with [`Writer::put`].
    pub fn zeroed(size: usize) -> Self {
        Writer { bytes: vec![0; size] }
    }

    write_next!(u8, u8);
    write_next!(i8, i8);
    write_next!(u16, u16);
    write_next!(i16, i16);
    write_next!(u32, u32);
    write_next!(i32, i32);
    write_next!(u64, u64);
    write_next!(f32, f32);
    write_next!(f64, f64);

    /// Overwrites bytes at `offset` with `value`'s little-endian bytes (any
    /// primitive via `to_le_bytes()`); grows the packet when needed.
    pub fn put(&mut self, offset: usize, le_bytes: &[u8]) -> &mut Self {
        let end = offset + le_bytes.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[offset..end].copy_from_slice(le_bytes);
        self
    }

    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// A `u16` byte length followed by UTF-8 (ACC broadcasting).
    pub fn string_u16(&mut self, text: &str) -> &mut Self {
        let bytes = &text.as_bytes()[..text.len().min(u16::MAX as usize)];
        self.u16(bytes.len() as u16).raw(bytes)
    }

    /// A NUL-padded UTF-16LE string in a fixed field of `units` code units at `offset`.
    pub fn put_utf16z(&mut self, offset: usize, units: usize, text: &str) -> &mut Self {
        let mut field = vec![0u8; units * 2];
        for (i, unit) in text.encode_utf16().take(units.saturating_sub(1)).enumerate() {
            field[i * 2..i * 2 + 2].copy_from_slice(&unit.to_le_bytes());
        }
        self.put(offset, &field)
    }

    /// A NUL-padded byte string in a fixed field of `len` bytes at `offset`.
    pub fn put_cstr(&mut self, offset: usize, len: usize, text: &str) -> &mut Self {
        let mut field = vec![0u8; len];
        let bytes = text.as_bytes();
        let n = bytes.len().min(len.saturating_sub(1));
        field[..n].copy_from_slice(&bytes[..n]);
        self.put(offset, &field)
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_never_panic_past_the_end() {
        let reader = Reader::new(&[1, 2, 3], "test");
        assert_eq!(reader.u16(0), Ok(0x0201));
        assert!(reader.u32(0).is_err());
        assert!(reader.u8(usize::MAX).is_err());
        assert!(reader.slice(usize::MAX - 1, 4).is_err());
    }

    #[test]
    fn strings_round_trip() {
        let mut writer = Writer::zeroed(0);
        writer.put_utf16z(0, 8, "Monza").put_cstr(16, 6, "GT3 car");
        let bytes = writer.finish();
        let reader = Reader::new(&bytes, "test");
        assert_eq!(reader.utf16z(0, 8, "track").unwrap(), "Monza");
        assert_eq!(reader.cstr(16, 6).unwrap(), "GT3 c");

        let mut writer = Writer::new();
        writer.string_u16("Spa").u8(7);
        let bytes = writer.finish();
        let mut cursor = Cursor::new(&bytes, "test");
        assert_eq!(cursor.string_u16("track").unwrap(), "Spa");
        assert_eq!(cursor.u8().unwrap(), 7);
        assert!(cursor.u8().is_err());
    }
}
