//! What an upload of a phone photo costs the server: type check, EXIF position, thumbnail and
//! the public copy, on a 12-megapixel JPEG (4000 × 3000, as phones take them) and a 2-megapixel
//! one. `cargo run --release -p files --example thumb_bench` (figures in BENCHMARKS.md).

use std::time::Instant;

fn photo(w: u32, h: u32) -> Vec<u8> {
    // Detail everywhere (a flat picture would compress to nothing and decode too fast).
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) >> 7;
        image::Rgb([
            (v & 0xff) as u8,
            ((x + y) & 0xff) as u8,
            ((v >> 8) & 0xff) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encode");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(files::samples::gps_tiff(30.27, 120.0));
    let mut with = out[..2].to_vec();
    with.extend([0xFF, 0xE1]);
    with.extend(((app1.len() + 2) as u16).to_be_bytes());
    with.extend(app1);
    with.extend(&out[2..]);
    with
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    for (w, h, runs) in [(1600u32, 1200u32, 20), (4000, 3000, 5)] {
        let p = photo(w, h);
        let t = Instant::now();
        for _ in 0..runs {
            let s = files::sniff(&p, "IMG.jpg").expect("jpeg");
            let _ = files::gps_location(&p);
            let thumb = files::thumbnail(&p, 320, 50_000_000).expect("thumb");
            let _ = files::content_key(&p);
            let _ = files::content_key(&thumb);
            let _ = files::strip_metadata(&p, s.content_type);
        }
        let per = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
        println!(
            "{w}x{h} JPEG of {:.1} MB: {per:.0} ms per upload (type, EXIF, thumbnail, hashes, public copy); peak RSS so far {:.0} MB",
            p.len() as f64 / 1_048_576.0,
            peak_rss_mb()
        );
    }
}
