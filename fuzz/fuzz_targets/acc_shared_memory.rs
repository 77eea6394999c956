//! Arbitrary bytes as ACC's three shared memory pages: the page decoder may not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::acc::shared_memory::{graphics, physics};
use purplesector_engine::sims::acc::{frame_from_pages, PageDecoder};

fuzz_target!(|data: &[u8]| {
    // Up to a physics page, then up to a graphics page, then the rest as the static page.
    let (physics_page, rest) = data.split_at(data.len().min(physics::SIZE));
    let (graphics_page, static_page) = rest.split_at(rest.len().min(graphics::SIZE));
    let _ = frame_from_pages(physics_page, graphics_page, static_page);
    let mut decoder = PageDecoder::new();
    let _ = decoder.events_at(physics_page, graphics_page, static_page, 0);
    let _ = decoder.events_at(physics_page, graphics_page, static_page, 16);
});
