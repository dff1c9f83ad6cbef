// One image quad: pan/zoom/rotate/flip by a uniform affine map, then the greyscale
// pipeline of PS3.3 C.11 (modality rescale, VOI window or VOI LUT, presentation
// inversion, padding) or colour (YCbCr converted to RGB here).
//
// The window math (window_of, grey_of, to_target) is shaders/window.wgsl, prepended to
// this source when the pipeline is built; tested pixel by pixel against
// `lightbox::window::window_value` in tests/shader_vs_cpu.rs.

// Keep in sync with app/gui/gpu.rs (`ImageUniforms`).
// Byte offsets (WGSL uniform layout): the struct's alignment is 16 (vec4<f32>) and
// its size is 80, a multiple of 16.
struct ImageUniforms {
    // Image coordinates (x right, y down; pixel (c, r) covers [c, c+1) x [r, r+1))
    // to clip space: clip.x = dot(xform_x.xyz, (x, y, 1)), clip.y likewise. w unused.
    xform_x: vec4<f32>,     // offset  0
    xform_y: vec4<f32>,     // offset 16
    // Modality LUT stage: modality = stored * slope + intercept.
    slope: f32,             // offset 32
    intercept: f32,         // offset 36
    // VOI window centre and width, in modality units.
    center: f32,            // offset 40
    width: f32,             // offset 44
    // 0 LINEAR, 1 LINEAR_EXACT, 2 SIGMOID, 3 VOI LUT, 4 colour (RGBA pass-through).
    mode: u32,              // offset 48
    // 1: display = 1 - display (MONOCHROME1, or Presentation LUT Shape INVERSE).
    invert: u32,            // offset 52
    // 1: a pixel whose stored value equals padding_value is drawn black.
    use_padding: u32,       // offset 56
    padding_value: f32,     // offset 60
    // 0 nearest neighbour, 1 bilinear (by hand: R32Float is not filterable).
    interpolation: u32,     // offset 64
    // Colour mode: 0 RGB, 1 full-range YCbCr, 2 studio-range YCbCr.
    colour_space: u32,      // offset 68
    _pad0: u32,             // offset 72
    _pad1: u32,             // offset 76
}                           // size 80

const MODE_VOI_LUT: u32 = 3u;
const MODE_COLOUR: u32 = 4u;

const COLOUR_YBR_FULL: u32 = 1u;
const COLOUR_YBR_PARTIAL: u32 = 2u;

@group(0) @binding(0) var<uniform> u: ImageUniforms;
// Greyscale: R32Float stored values. Colour: Rgba8Unorm. Read with textureLoad only.
@group(0) @binding(1) var image_tex: texture_2d<f32>;
// VOI LUT as R32Float rows (row length = the texture's width), texel 0 = first mapped
// value, texels 1.. = entries normalised to 0..1, the last entry repeated to fill the
// last row. A 2-D texture because 1-D textures may be limited to 2048 texels.
@group(0) @binding(2) var lut_tex: texture_2d<f32>;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    // Image coordinates of this point.
    @location(0) image_pos: vec2<f32>,
}

// Triangle strip of 4 vertices: (0,0), (w,0), (0,h), (w,h). No vertex buffer.
@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> VertexOut {
    let size = vec2<f32>(textureDimensions(image_tex));
    let corner = vec2<f32>(f32(vertex_index & 1u), f32(vertex_index >> 1u));
    let p = vec3<f32>(corner * size, 1.0);
    var out: VertexOut;
    out.position = vec4<f32>(dot(u.xform_x.xyz, p), dot(u.xform_y.xyz, p), 0.0, 1.0);
    out.image_pos = p.xy;
    return out;
}

// Lut::lookup(x) / Lut::max_output() of app/window.rs (entries are normalised on the CPU).
fn voi_lut(x: f32) -> f32 {
    let dims = vec2<i32>(textureDimensions(lut_tex));
    let first_mapped = textureLoad(lut_tex, vec2<i32>(0, 0), 0).r;
    // Entries sit at texels 1 ..= total - 1; the padding after the last entry repeats it,
    // so clamping to the texture clamps to the last entry.
    let last = f32(dims.x * dims.y - 2);
    let i = i32(clamp(floor(x) - first_mapped, 0.0, last)) + 1;
    return textureLoad(lut_tex, vec2<i32>(i % dims.x, i / dims.x), 0).r;
}

// The display value (0..1) of a modality value.
fn display_value(x: f32) -> f32 {
    if u.mode == MODE_VOI_LUT {
        return voi_lut(x);
    }
    return window_of(x, u.center, u.width, u.mode);
}

fn load(texel: vec2<i32>) -> vec4<f32> {
    return textureLoad(image_tex, texel, 0);
}

// ColourSpace::to_rgb_in_place of app/pixel/colour.rs. Full range uses libjpeg's
// 16-bit fixed-point formula (jdcolor.c) in integers, so it matches the CPU exactly;
// studio range uses the float formula of PS3.3 C.7.6.3.1.2.
fn ybr_to_rgb(t: vec4<f32>) -> vec4<f32> {
    if u.colour_space == COLOUR_YBR_FULL {
        let y = i32(round(t.r * 255.0));
        let cb = i32(round(t.g * 255.0)) - 128;
        let cr = i32(round(t.b * 255.0)) - 128;
        let r = y + ((91881 * cr + 32768) >> 16u);
        let g = y + ((-22554 * cb + 32768 - 46802 * cr) >> 16u);
        let b = y + ((116130 * cb + 32768) >> 16u);
        let rgb = clamp(vec3<i32>(r, g, b), vec3<i32>(0), vec3<i32>(255));
        return vec4<f32>(vec3<f32>(rgb) / 255.0, t.a);
    } else if u.colour_space == COLOUR_YBR_PARTIAL {
        let y = 1.1644 * (t.r * 255.0 - 16.0);
        let cb = t.g * 255.0 - 128.0;
        let cr = t.b * 255.0 - 128.0;
        let rgb = vec3<f32>(y + 1.596 * cr, y - 0.3917 * cb - 0.813 * cr, y + 2.0173 * cb);
        return vec4<f32>(floor(clamp(rgb, vec3<f32>(0.0), vec3<f32>(255.0)) + 0.5) / 255.0, t.a);
    }
    return t;
}

// A colour texel as RGB.
fn load_rgb(texel: vec2<i32>) -> vec4<f32> {
    return ybr_to_rgb(load(texel));
}

fn is_padding(stored: f32) -> bool {
    return u.use_padding != 0u && stored == u.padding_value;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let size = vec2<i32>(textureDimensions(image_tex));
    let max_texel = size - vec2<i32>(1);
    // The texel under this point (nearest neighbour), clamped against rounding at the edges.
    let nearest = clamp(vec2<i32>(floor(in.image_pos)), vec2<i32>(0), max_texel);

    // Bilinear: the four texels around this point, weighted by distance to their centres.
    let q = in.image_pos - 0.5;
    let q0 = floor(q);
    let f = q - q0;
    let t00 = clamp(vec2<i32>(q0), vec2<i32>(0), max_texel);
    let t11 = clamp(vec2<i32>(q0) + vec2<i32>(1), vec2<i32>(0), max_texel);
    let t10 = vec2<i32>(t11.x, t00.y);
    let t01 = vec2<i32>(t00.x, t11.y);
    let w00 = (1.0 - f.x) * (1.0 - f.y);
    let w10 = f.x * (1.0 - f.y);
    let w01 = (1.0 - f.x) * f.y;
    let w11 = f.x * f.y;
    let bilinear = u.interpolation == 1u;

    if u.mode == MODE_COLOUR {
        if bilinear {
            let c = load_rgb(t00) * w00 + load_rgb(t10) * w10 + load_rgb(t01) * w01
                + load_rgb(t11) * w11;
            return to_target(c);
        }
        return to_target(load_rgb(nearest));
    }

    let stored_nearest = load(nearest).r;
    if is_padding(stored_nearest) {
        return to_target(vec4<f32>(0.0, 0.0, 0.0, 1.0));
    }
    var stored = stored_nearest;
    if bilinear {
        // Padding neighbours do not bleed into the image: their weight is dropped.
        let s00 = load(t00).r;
        let s10 = load(t10).r;
        let s01 = load(t01).r;
        let s11 = load(t11).r;
        let k00 = select(w00, 0.0, is_padding(s00));
        let k10 = select(w10, 0.0, is_padding(s10));
        let k01 = select(w01, 0.0, is_padding(s01));
        let k11 = select(w11, 0.0, is_padding(s11));
        let total = k00 + k10 + k01 + k11;
        if total > 0.0 {
            stored = (s00 * k00 + s10 * k10 + s01 * k01 + s11 * k11) / total;
        }
    }

    let modality = stored * u.slope + u.intercept;
    return grey_of(display_value(modality), u.invert != 0u);
}
