// The display half shared by shaders/image.wgsl and shaders/mpr.wgsl: a VOI window
// (PS3.3 C.11.2.1.2.1 LINEAR, C.11.2.1.3.2 LINEAR_EXACT, C.11.2.1.3.1 SIGMOID), the
// 8-bit rounding of the CPU, and the sRGB target's linearisation. Prepended to each
// shader's source when its pipeline is built (WGSL has no includes).
//
// Re-implements `lightbox::window::window_value` (app/window.rs); tested pixel by pixel
// against it in tests/shader_vs_cpu.rs and tests/mpr_gpu.rs. Change both together.

const MODE_LINEAR: u32 = 0u;
const MODE_LINEAR_EXACT: u32 = 1u;
const MODE_SIGMOID: u32 = 2u;

// The smallest positive normal f32 (window_value takes non-positive widths as the
// smallest positive value).
const MIN_POSITIVE: f32 = 1.17549435e-38;

// Set per pipeline: true when the render target is an sRGB format, whose hardware
// encoding must give back the byte the CPU computes.
override target_is_srgb: bool = false;

// window_value(x, window, 0, 1) of app/window.rs, for a window of centre `c`, width
// `width` and function `mode` (MODE_LINEAR, MODE_LINEAR_EXACT or MODE_SIGMOID).
fn window_of(x: f32, c: f32, width: f32, mode: u32) -> f32 {
    if mode == MODE_LINEAR {
        let w = max(width, 1.0);
        let lo = c - 0.5 - (w - 1.0) / 2.0;
        let hi = c - 0.5 + (w - 1.0) / 2.0;
        if x <= lo {
            return 0.0;
        } else if x > hi {
            return 1.0;
        }
        // w > 1 here: with w == 1, lo == hi and one branch above was taken.
        return (x - (c - 0.5)) / (w - 1.0) + 0.5;
    } else if mode == MODE_LINEAR_EXACT {
        let w = max(width, MIN_POSITIVE);
        if x <= c - w / 2.0 {
            return 0.0;
        } else if x > c + w / 2.0 {
            return 1.0;
        }
        return (x - c) / w + 0.5;
    }
    // MODE_SIGMOID
    let w = max(width, MIN_POSITIVE);
    return 1.0 / (1.0 + exp(-4.0 * (x - c) / w));
}

// sRGB electro-optical transfer function: the inverse of what an sRGB target applies.
fn srgb_to_linear(v: vec3<f32>) -> vec3<f32> {
    let lo = v / 12.92;
    let hi = pow((v + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, v <= vec3<f32>(0.04045));
}

fn to_target(rgba: vec4<f32>) -> vec4<f32> {
    if target_is_srgb {
        return vec4<f32>(srgb_to_linear(rgba.rgb), rgba.a);
    }
    return rgba;
}

// A display value (0..1) as the opaque grey the CPU makes of it: scaled to 0..255 and
// rounded as Image8 does (y.round() of window_value(x, w, 0, 255), inverted before
// rounding), so the 8-bit target holds the CPU's byte exactly; floor(v + 0.5) is
// f64::round for v >= 0.
fn grey_of(display: f32, invert: bool) -> vec4<f32> {
    var v = clamp(display, 0.0, 1.0) * 255.0;
    if invert {
        v = 255.0 - v;
    }
    let grey = floor(v + 0.5) / 255.0;
    return to_target(vec4<f32>(grey, grey, grey, 1.0));
}
