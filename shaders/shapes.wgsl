// Annotation outlines (issue 15): every edge of every shape on the frame is one
// instance, a quad around the segment from `a` to `b`, extruded in screen space so the
// line keeps its width in points at any zoom. The instances are uploaded when the
// shapes change; panning and zooming only rewrite `ShapeUniforms`.
//
// Keep in sync with `ShapeUniforms` and `Segment` in app/gui/gpu/shapes.rs.

struct ShapeUniforms {
    // Image coordinates → viewport pixels (physical, y down): x = dot(xform_x.xyz, (x, y, 1)).
    xform_x: vec4<f32>,
    xform_y: vec4<f32>,
    // Viewport size in physical pixels.
    viewport_px: vec2<f32>,
    // Physical pixels per point (widths and offsets are in points).
    pixels_per_point: f32,
    _pad: f32,
};

override target_is_srgb: bool = false;

@group(0) @binding(0) var<uniform> u: ShapeUniforms;

struct Segment {
    // The segment's ends in image coordinates.
    @location(0) a: vec2<f32>,
    @location(1) b: vec2<f32>,
    // Offsets of the ends in points, added after the map to the screen (markers that
    // keep their size on screen, e.g. a point's cross).
    @location(2) a_offset_pt: vec2<f32>,
    @location(3) b_offset_pt: vec2<f32>,
    // Premultiplied sRGB colour, RGBA8 packed little-endian (egui's Color32 bytes).
    @location(4) colour: u32,
    // Line width in points.
    @location(5) width_pt: f32,
};

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) colour: vec4<f32>,
    // Signed distance across the line from its centre, in physical pixels.
    @location(1) across_px: f32,
    @location(2) @interpolate(flat) half_width_px: f32,
};

fn to_pixels(p: vec2<f32>) -> vec2<f32> {
    let h = vec3<f32>(p, 1.0);
    return vec2<f32>(dot(u.xform_x.xyz, h), dot(u.xform_y.xyz, h));
}

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32, s: Segment) -> VertexOut {
    // Two triangles: corners (end, side) of the quad.
    var ends = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
    var sides = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
    let end = ends[vertex_index];
    let side = sides[vertex_index];
    let pa = to_pixels(s.a) + s.a_offset_pt * u.pixels_per_point;
    let pb = to_pixels(s.b) + s.b_offset_pt * u.pixels_per_point;
    var dir = vec2<f32>(1.0, 0.0);
    let len = length(pb - pa);
    if len > 1e-6 {
        dir = (pb - pa) / len;
    }
    let normal = vec2<f32>(-dir.y, dir.x);
    let half_width = 0.5 * s.width_pt * u.pixels_per_point;
    // One pixel of feather beyond the line; the ends reach half a width further so
    // consecutive edges of a ring meet without a notch.
    let outer = half_width + 1.0;
    let p = mix(pa, pb, end) + dir * (end * 2.0 - 1.0) * half_width + normal * side * outer;
    var out: VertexOut;
    out.position = vec4<f32>(p.x / u.viewport_px.x * 2.0 - 1.0, 1.0 - p.y / u.viewport_px.y * 2.0, 0.0, 1.0);
    out.colour = unpack4x8unorm(s.colour);
    out.across_px = side * outer;
    out.half_width_px = half_width;
    return out;
}

fn srgb_to_linear(v: vec3<f32>) -> vec3<f32> {
    let cutoff = v < vec3<f32>(0.04045);
    return select(pow((v + 0.055) / 1.055, vec3<f32>(2.4)), v / 12.92, cutoff);
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    // Coverage of the pixel by a line of half width `half_width_px` (at least half a
    // pixel, so hairlines stay visible but faint).
    let half_width = max(in.half_width_px, 0.5);
    let coverage = clamp(half_width + 0.5 - abs(in.across_px), 0.0, 1.0) * min(in.half_width_px * 2.0, 1.0);
    var colour = in.colour;
    if target_is_srgb {
        colour = vec4<f32>(srgb_to_linear(colour.rgb), colour.a);
    }
    return colour * coverage;
}
