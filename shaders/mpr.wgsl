// One MPR view of a volume held as a 3-D texture: each pixel samples the volume at
// corner + (x + 0.5)·step_x + (y + 0.5)·step_y (voxel coordinates, voxel centres at
// whole numbers), a thick slab combining slab_samples points along slab_step (MIP,
// MinIP or mean), then the VOI window of shaders/window.wgsl (prepended to this source
// when the pipeline is built).
//
// Re-implements `lightbox::mpr::reslice::sample_pixel` (app/mpr/reslice.rs) in the same
// f32 arithmetic; tests/mpr_gpu.rs compares them pixel by pixel. Change both together.

// Keep in sync with app/gui/gpu/volume.rs (`MprUniforms`). Byte offsets (WGSL uniform
// layout): vec4<f32> fields are 16-aligned; the struct's size is 112.
struct MprUniforms {
    corner: vec4<f32>,      // offset  0 (xyz; w unused)
    step_x: vec4<f32>,      // offset 16
    step_y: vec4<f32>,      // offset 32
    slab_step: vec4<f32>,   // offset 48
    // The view's top-left corner in framebuffer pixels.
    view_origin: vec2<f32>, // offset 64
    // modality = texel + value_offset (16-bit volumes; 0 for f32 ones).
    value_offset: f32,      // offset 72
    slab_samples: u32,      // offset 76
    // 0 MIP, 1 MinIP, 2 mean.
    slab_mode: u32,         // offset 80
    // 0 nearest voxel, 1 trilinear.
    interpolation: u32,     // offset 84
    // VOI window: centre and width in modality units.
    center: f32,            // offset 88
    width: f32,             // offset 92
    // bits 0..1: MODE_LINEAR / MODE_LINEAR_EXACT / MODE_SIGMOID; bit 2: invert.
    flags: u32,             // offset 96
    _pad0: u32,             // offset 100
    _pad1: u32,             // offset 104
    _pad2: u32,             // offset 108
}                           // size 112

const SLAB_MIP: u32 = 0u;
const SLAB_MINIP: u32 = 1u;

@group(0) @binding(0) var<uniform> u: MprUniforms;
// R16Uint (16-bit volumes) or R32Float texels; the pipeline is built for one of them.
@group(0) @binding(1) var volume: texture_3d<TEXEL>;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
}

// One triangle covering the viewport (the callback's rectangle).
@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> VertexOut {
    let x = f32(i32(vertex_index & 1u) * 4 - 1);
    let y = f32(i32(vertex_index >> 1u) * 4 - 1);
    var out: VertexOut;
    out.position = vec4<f32>(x, y, 0.0, 1.0);
    return out;
}

fn texel(i: vec3<i32>) -> f32 {
    return f32(textureLoad(volume, i, 0).r) + u.value_offset;
}

struct Sample {
    value: f32,
    inside: bool,
}

// sample_voxel of app/mpr/reslice.rs.
fn sample_voxel(p: vec3<f32>) -> Sample {
    let dims = vec3<f32>(textureDimensions(volume));
    if any(p < vec3<f32>(-0.5)) || any(p > dims - vec3<f32>(0.5)) {
        return Sample(0.0, false);
    }
    let last = vec3<i32>(textureDimensions(volume)) - vec3<i32>(1);
    if u.interpolation == 0u {
        let i = clamp(vec3<i32>(floor(p + vec3<f32>(0.5))), vec3<i32>(0), last);
        return Sample(texel(i), true);
    }
    let base = floor(p);
    let f = p - base;
    let i0 = clamp(vec3<i32>(base), vec3<i32>(0), last);
    let i1 = clamp(vec3<i32>(base) + vec3<i32>(1), vec3<i32>(0), last);
    let c00 = mix(texel(vec3<i32>(i0.x, i0.y, i0.z)), texel(vec3<i32>(i1.x, i0.y, i0.z)), f.x);
    let c10 = mix(texel(vec3<i32>(i0.x, i1.y, i0.z)), texel(vec3<i32>(i1.x, i1.y, i0.z)), f.x);
    let c01 = mix(texel(vec3<i32>(i0.x, i0.y, i1.z)), texel(vec3<i32>(i1.x, i0.y, i1.z)), f.x);
    let c11 = mix(texel(vec3<i32>(i0.x, i1.y, i1.z)), texel(vec3<i32>(i1.x, i1.y, i1.z)), f.x);
    let c0 = mix(c00, c10, f.y);
    let c1 = mix(c01, c11, f.y);
    return Sample(mix(c0, c1, f.z), true);
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    // The pixel centre, in view pixels: (x + 0.5, y + 0.5).
    let px = in.position.xy - u.view_origin;
    let p = u.corner.xyz + px.x * u.step_x.xyz + px.y * u.step_y.xyz;
    let half = (f32(u.slab_samples) - 1.0) * 0.5;
    var best = 0.0;
    var sum = 0.0;
    var count = 0u;
    for (var s = 0u; s < u.slab_samples; s = s + 1u) {
        let t = f32(s) - half;
        let q = p + t * u.slab_step.xyz;
        let v = sample_voxel(q);
        if !v.inside {
            continue;
        }
        if count == 0u {
            best = v.value;
        } else if u.slab_mode == SLAB_MIP {
            best = max(best, v.value);
        } else if u.slab_mode == SLAB_MINIP {
            best = min(best, v.value);
        }
        count = count + 1u;
        sum = sum + v.value;
    }
    if count == 0u {
        return to_target(vec4<f32>(0.0, 0.0, 0.0, 1.0));
    }
    var value = best;
    if u.slab_mode == 2u {
        value = sum / f32(count);
    }
    let display = window_of(value, u.center, u.width, u.flags & 3u);
    return grey_of(display, (u.flags & 4u) != 0u);
}
