//! Drawing annotation outlines with wgpu: thousands of shapes at no CPU cost a frame.
//!
//! egui tessellates every line it is given every frame; 5,000 polygons of 50 vertices
//! are 250,000 feathered line segments, about 70 ms of CPU a frame on these machines.
//! Here each edge is one instance of [`Segment`] in a vertex buffer that is written
//! only when the shapes change (see [`ShapeLayer::upload`]); panning and zooming
//! rewrite the 48 bytes of [`ShapeUniforms`], and `shaders/shapes.wgsl` extrudes every
//! edge to a feathered quad of its width in points, in screen space.

use wgpu::util::DeviceExt;

/// The uniforms of `shaders/shapes.wgsl` (`struct ShapeUniforms`). Keep in sync.
///
/// | offset | field | WGSL |
/// |---|---|---|
/// | 0 | `xform_x` | `vec4<f32>` |
/// | 16 | `xform_y` | `vec4<f32>` |
/// | 32 | `viewport_px` | `vec2<f32>` |
/// | 40 | `pixels_per_point` | `f32` |
/// | 44 | `_pad` | `f32` |
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ShapeUniforms {
    /// Image coordinates → viewport physical pixels (y down), first row `(a, b, c, 0)`.
    pub xform_x: [f32; 4],
    /// Second row of the same map.
    pub xform_y: [f32; 4],
    /// Viewport width and height in physical pixels.
    pub viewport_px: [f32; 2],
    /// Physical pixels per point: widths and offsets of [`Segment`] are in points.
    pub pixels_per_point: f32,
    /// Padding to the WGSL struct size; keep zero.
    pub _pad: f32,
}

/// Size in bytes of `struct ShapeUniforms` in `shaders/shapes.wgsl`, by hand: two
/// `vec4<f32>` (32) + `vec2<f32>` (8) + two `f32` (8) = 48, a multiple of 16.
pub const WGSL_SHAPE_UNIFORMS_SIZE: u64 = 48;

/// One edge of an outline: an instance of `struct Segment` in `shaders/shapes.wgsl`
/// (locations 0–5, in this order). Keep in sync.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Segment {
    /// Start, in image pixel coordinates.
    pub a: [f32; 2],
    /// End, in image pixel coordinates.
    pub b: [f32; 2],
    /// Offset of the start on screen, in points (markers of a fixed screen size).
    pub a_offset_pt: [f32; 2],
    /// Offset of the end on screen, in points.
    pub b_offset_pt: [f32; 2],
    /// Premultiplied sRGB colour as egui's `Color32` bytes, packed little-endian.
    pub colour: u32,
    /// Line width in points.
    pub width_pt: f32,
}

/// The pipeline drawing [`Segment`]s, built once for the window's target format.
#[derive(Debug)]
pub struct ShapePipeline {
    pipeline: wgpu::RenderPipeline,
    bind_group_layout: wgpu::BindGroupLayout,
}

impl ShapePipeline {
    /// Compiles `shaders/shapes.wgsl` for `target_format` (premultiplied alpha blending,
    /// as egui draws).
    pub fn new(device: &wgpu::Device, target_format: wgpu::TextureFormat) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("lightbox shapes shader"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../shaders/shapes.wgsl").into()),
        });
        let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("lightbox shapes bind group layout"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: wgpu::BufferSize::new(WGSL_SHAPE_UNIFORMS_SIZE),
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("lightbox shapes pipeline layout"),
            bind_group_layouts: &[Some(&bind_group_layout)],
            immediate_size: 0,
        });
        let srgb = if target_format.is_srgb() { 1.0 } else { 0.0 };
        let constants = [("target_is_srgb", srgb)];
        let options = wgpu::PipelineCompilationOptions {
            constants: &constants,
            ..Default::default()
        };
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("lightbox shapes pipeline"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: options.clone(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<Segment>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &wgpu::vertex_attr_array![
                        0 => Float32x2,
                        1 => Float32x2,
                        2 => Float32x2,
                        3 => Float32x2,
                        4 => Uint32,
                        5 => Float32,
                    ],
                })],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleList,
                cull_mode: None,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: options,
                targets: &[Some(wgpu::ColorTargetState {
                    format: target_format,
                    blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        Self {
            pipeline,
            bind_group_layout,
        }
    }
}

/// The GPU side of one viewport's outlines: the segments last uploaded (and the key
/// they were uploaded for) and the uniforms.
#[derive(Debug)]
pub struct ShapeLayer {
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    segments: Option<wgpu::Buffer>,
    count: u32,
    key: Option<u64>,
}

impl ShapeLayer {
    /// An empty layer for `pipeline`.
    pub fn new(device: &wgpu::Device, pipeline: &ShapePipeline) -> Self {
        let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("lightbox shapes uniforms"),
            contents: bytemuck::bytes_of(&ShapeUniforms {
                xform_x: [0.0; 4],
                xform_y: [0.0; 4],
                viewport_px: [1.0; 2],
                pixels_per_point: 1.0,
                _pad: 0.0,
            }),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("lightbox shapes bind group"),
            layout: &pipeline.bind_group_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniforms.as_entire_binding(),
            }],
        });
        Self {
            uniforms,
            bind_group,
            segments: None,
            count: 0,
            key: None,
        }
    }

    /// Uploads `segments` unless the layer already holds those of `key`. The buffer is
    /// re-created only when it is too small (at twice the size needed, so a shape drawn
    /// at a time does not re-create it every time).
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        key: u64,
        segments: &[Segment],
    ) {
        if self.key == Some(key) {
            return;
        }
        let bytes: &[u8] = bytemuck::cast_slice(segments);
        let fits = self
            .segments
            .as_ref()
            .is_some_and(|b| b.size() >= bytes.len() as u64);
        if !fits && !bytes.is_empty() {
            self.segments = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lightbox shape segments"),
                size: (bytes.len() as u64 * 2).next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT),
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        if let Some(buffer) = &self.segments
            && !bytes.is_empty()
        {
            queue.write_buffer(buffer, 0, bytes);
        }
        self.count = u32::try_from(segments.len()).unwrap_or(u32::MAX);
        self.key = Some(key);
    }

    /// Writes this frame's uniforms (where the image is, the viewport size).
    pub fn write_uniforms(&self, queue: &wgpu::Queue, uniforms: &ShapeUniforms) {
        queue.write_buffer(&self.uniforms, 0, bytemuck::bytes_of(uniforms));
    }

    /// Draws the uploaded segments with `pipeline`.
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, pipeline: &ShapePipeline) {
        let Some(buffer) = &self.segments else {
            return;
        };
        if self.count == 0 {
            return;
        }
        pass.set_pipeline(&pipeline.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.set_vertex_buffer(0, buffer.slice(..));
        pass.draw(0..6, 0..self.count);
    }
}
