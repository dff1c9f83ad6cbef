//! Drawing one image with wgpu: window/level on the GPU, every frame.
//!
//! Dragging the window or the zoom re-renders many times a second; recomputing the
//! 8-bit image on the CPU and uploading it each time would not keep up with large
//! images. Instead the stored values are uploaded once per frame of the series (as
//! `R32Float`, exact for 16-bit integers) and `shaders/image.wgsl` applies the
//! modality rescale, the VOI window or VOI LUT, inversion and padding per pixel,
//! driven by a small uniform buffer ([`ImageUniforms`]) written every frame.
//!
//! The CPU reference of that math is [`crate::window`] (`window_value`, `Lut`), as used
//! by [`crate::render::render_frame`]; `tests/shader_vs_cpu.rs` checks that the shader
//! gives the same bytes (within one grey level) on every pixel.
//!
//! This module needs only `wgpu` and `bytemuck`: the egui paint callback that owns an
//! [`ImagePipeline`] and the [`GpuImage`]s lives with the viewer.

pub mod offscreen;
pub mod shapes;
mod transform;
pub mod volume;

pub use transform::{Affine2, Placement};

use std::fmt;

use wgpu::util::DeviceExt;

use crate::pixel::ColourSpace;

/// How the fragment shader turns a texel into a colour (`ImageUniforms::mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Mode {
    /// Greyscale through a `LINEAR` window (PS3.3 C.11.2.1.2.1).
    Linear = 0,
    /// Greyscale through a `LINEAR_EXACT` window (C.11.2.1.3.2).
    LinearExact = 1,
    /// Greyscale through a `SIGMOID` window (C.11.2.1.3.1).
    Sigmoid = 2,
    /// Greyscale through the VOI LUT set by [`GpuImage::set_voi_lut`].
    VoiLut = 3,
    /// Colour: the RGBA texture of [`GpuImage::upload_rgba`], converted to RGB as
    /// [`ColourConversion`] says.
    Colour = 4,
}

/// How colour texels become RGB (`ImageUniforms::colour_space`), mirroring
/// `lightbox::pixel::ColourSpace` (the CPU reference the shader is tested against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ColourConversion {
    /// RGB: passed through.
    None = 0,
    /// Full-range YCbCr, libjpeg's fixed-point formula.
    YbrFull = 1,
    /// Studio-range YCbCr (PS3.3 C.7.6.3.1.2).
    YbrPartial = 2,
}

impl From<ColourSpace> for ColourConversion {
    fn from(space: ColourSpace) -> Self {
        match space {
            ColourSpace::Rgb => Self::None,
            ColourSpace::YbrFull => Self::YbrFull,
            ColourSpace::YbrPartial => Self::YbrPartial,
        }
    }
}

/// How the image is sampled between texel centres (`ImageUniforms::interpolation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Interpolation {
    /// The texel under the point: crisp pixels (diagnostic default).
    Nearest = 0,
    /// Bilinear between the four surrounding texels (on stored values, before the window).
    Bilinear = 1,
}

// Keep in sync with shaders/image.wgsl (`struct ImageUniforms`).
/// The per-frame parameters of `shaders/image.wgsl`, byte for byte.
///
/// WGSL layout (uniform address space; offsets in bytes, struct alignment 16, size 80):
///
/// | offset | field | WGSL type |
/// |---|---|---|
/// | 0 | `xform_x` | `vec4<f32>` |
/// | 16 | `xform_y` | `vec4<f32>` |
/// | 32 | `slope` | `f32` |
/// | 36 | `intercept` | `f32` |
/// | 40 | `center` | `f32` |
/// | 44 | `width` | `f32` |
/// | 48 | `mode` | `u32` |
/// | 52 | `invert` | `u32` |
/// | 56 | `use_padding` | `u32` |
/// | 60 | `padding_value` | `f32` |
/// | 64 | `interpolation` | `u32` |
/// | 68 | `colour_space` | `u32` |
/// | 72..80 | `_pad` | `u32` × 2 |
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ImageUniforms {
    /// Image coordinates → clip space, first row `(a, b, c, 0)`: `clip.x = a x + b y + c`.
    /// See [`Placement::to_clip`].
    pub xform_x: [f32; 4],
    /// Second row of the same map: `clip.y`.
    pub xform_y: [f32; 4],
    /// Rescale Slope: modality = stored × slope + intercept.
    pub slope: f32,
    /// Rescale Intercept.
    pub intercept: f32,
    /// Window Center (modality units).
    pub center: f32,
    /// Window Width (modality units).
    pub width: f32,
    /// A [`Mode`] as `u32`.
    pub mode: u32,
    /// 1 to invert the display value (MONOCHROME1, or Presentation LUT Shape INVERSE).
    pub invert: u32,
    /// 1 to draw pixels whose stored value equals `padding_value` black.
    pub use_padding: u32,
    /// Pixel Padding Value, as a stored value.
    pub padding_value: f32,
    /// An [`Interpolation`] as `u32`.
    pub interpolation: u32,
    /// A [`ColourConversion`] as `u32` (colour mode only).
    pub colour_space: u32,
    /// Padding to the WGSL struct size (80 bytes, a multiple of 16); keep zero.
    pub _pad: [u32; 2],
}

/// Size in bytes of `struct ImageUniforms` in `shaders/image.wgsl`, computed by hand:
/// two `vec4<f32>` (32) + 10 scalars of 4 bytes (40) = 72, rounded up to the struct's
/// alignment of 16 = 80.
pub const WGSL_IMAGE_UNIFORMS_SIZE: u64 = 80;

impl ImageUniforms {
    /// Uniforms drawing with `xform` in `mode`: slope 1, intercept 0, window centre 0 and
    /// width 1, not inverted, no padding, nearest neighbour.
    pub fn new(xform: [[f32; 4]; 2], mode: Mode) -> Self {
        Self {
            xform_x: xform[0],
            xform_y: xform[1],
            slope: 1.0,
            intercept: 0.0,
            center: 0.0,
            width: 1.0,
            mode: mode as u32,
            invert: 0,
            use_padding: 0,
            padding_value: 0.0,
            interpolation: Interpolation::Nearest as u32,
            colour_space: ColourConversion::None as u32,
            _pad: [0; 2],
        }
    }
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// Width or height is zero.
    EmptyImage,
    /// The pixel slice does not hold `width × height` values (or RGBA bytes).
    SizeMismatch {
        /// Values the size calls for.
        expected: usize,
        /// Values given.
        actual: usize,
    },
    /// A side exceeds the device's `max_texture_dimension_2d`.
    TooLarge {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// The device limit.
        max: u32,
    },
    /// A side of a volume exceeds the device's `max_texture_dimension_3d`.
    VolumeTooLarge {
        /// Voxels along x, y and z.
        dims: [usize; 3],
        /// The device limit.
        max: u32,
    },
    /// The VOI LUT has no entries.
    EmptyLut,
    /// The VOI LUT needs more texture rows than the device allows.
    LutTooLarge {
        /// Entries.
        len: usize,
    },
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyImage => write!(f, "image has no pixels"),
            Self::SizeMismatch { expected, actual } => {
                write!(f, "expected {expected} pixel values, got {actual}")
            }
            Self::TooLarge { width, height, max } => write!(
                f,
                "image {width}x{height} exceeds the GPU texture limit of {max} pixels a side"
            ),
            Self::VolumeTooLarge { dims, max } => write!(
                f,
                "volume {}x{}x{} exceeds the GPU 3-D texture limit of {max} voxels a side",
                dims[0], dims[1], dims[2]
            ),
            Self::EmptyLut => write!(f, "VOI LUT has no entries"),
            Self::LutTooLarge { len } => write!(f, "VOI LUT of {len} entries is too large"),
        }
    }
}

impl std::error::Error for GpuError {}

/// The render pipeline of `shaders/image.wgsl` for one target format.
///
/// Build one per target format (e.g. `egui_wgpu::RenderState::target_format`) and share
/// it between viewports; sRGB targets get a pipeline that linearises its output so the
/// stored bytes equal the CPU's.
#[derive(Debug)]
pub struct ImagePipeline {
    pipeline: wgpu::RenderPipeline,
    bind_group_layout: wgpu::BindGroupLayout,
    target_format: wgpu::TextureFormat,
}

impl ImagePipeline {
    /// Compiles the shader and builds the pipeline drawing into `target_format`.
    pub fn new(device: &wgpu::Device, target_format: wgpu::TextureFormat) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("lightbox image shader"),
            source: wgpu::ShaderSource::Wgsl(
                concat!(
                    include_str!("../../shaders/window.wgsl"),
                    include_str!("../../shaders/image.wgsl")
                )
                .into(),
            ),
        });
        let texture_entry = |binding, visibility| wgpu::BindGroupLayoutEntry {
            binding,
            visibility,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("lightbox image bind group layout"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(WGSL_IMAGE_UNIFORMS_SIZE),
                    },
                    count: None,
                },
                texture_entry(1, wgpu::ShaderStages::VERTEX_FRAGMENT),
                texture_entry(2, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let pipeline = fragment_pipeline(
            device,
            "lightbox image pipeline",
            &bind_group_layout,
            &shader,
            target_format,
            wgpu::PrimitiveTopology::TriangleStrip,
        );
        Self {
            pipeline,
            bind_group_layout,
            target_format,
        }
    }

    /// The format this pipeline draws into.
    pub fn target_format(&self) -> wgpu::TextureFormat {
        self.target_format
    }
}

/// A render pipeline of `shader`'s `vs_main` and `fs_main` over one bind group of
/// `layout`, no vertex buffers, no blending, drawing into `target_format`; the shader's
/// `target_is_srgb` override is set from the format (so an sRGB target stores the
/// CPU's bytes).
pub(crate) fn fragment_pipeline(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    shader: &wgpu::ShaderModule,
    target_format: wgpu::TextureFormat,
    topology: wgpu::PrimitiveTopology,
) -> wgpu::RenderPipeline {
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    let srgb = if target_format.is_srgb() { 1.0 } else { 0.0 };
    let constants = [("target_is_srgb", srgb)];
    let options = || wgpu::PipelineCompilationOptions {
        constants: &constants,
        ..Default::default()
    };
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&pipeline_layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: options(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState {
            topology,
            cull_mode: None,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some("fs_main"),
            compilation_options: options(),
            targets: &[Some(wgpu::ColorTargetState {
                format: target_format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The GPU side of one viewport: its image texture, VOI LUT, uniforms and bind group.
///
/// Textures are re-created only when the size or format changes; otherwise uploads
/// write in place. Upload when the frame changes, write uniforms every frame.
#[derive(Debug)]
pub struct GpuImage {
    layout: wgpu::BindGroupLayout,
    uniforms: wgpu::Buffer,
    image: wgpu::Texture,
    lut: wgpu::Texture,
    /// The LUT texels last written (header included), to skip identical re-uploads.
    lut_texels: Vec<f32>,
    bind_group: wgpu::BindGroup,
}

/// Texels per row of the VOI LUT texture: 65 536 entries + header fit in 257 rows,
/// within every device's 2-D texture limit.
const LUT_ROW: u32 = 256;

impl GpuImage {
    /// A viewport for `pipeline` holding a 1×1 image of stored value 0 and a one-entry
    /// VOI LUT until the first uploads.
    pub fn new(device: &wgpu::Device, pipeline: &ImagePipeline) -> Self {
        let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("lightbox image uniforms"),
            contents: bytemuck::bytes_of(&ImageUniforms::new([[0.0; 4]; 2], Mode::Linear)),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        });
        let image = new_texture(
            device,
            "lightbox image",
            1,
            1,
            wgpu::TextureFormat::R32Float,
        );
        let lut = new_texture(
            device,
            "lightbox VOI LUT",
            2,
            1,
            wgpu::TextureFormat::R32Float,
        );
        let bind_group = bind_group(device, &pipeline.bind_group_layout, &uniforms, &image, &lut);
        Self {
            layout: pipeline.bind_group_layout.clone(),
            uniforms,
            image,
            lut,
            lut_texels: Vec::new(),
            bind_group,
        }
    }

    /// Uploads a greyscale frame: `stored` holds `width × height` stored values, row-major
    /// (not yet rescaled: the shader applies slope and intercept).
    ///
    /// # Errors
    /// [`GpuError::EmptyImage`], [`GpuError::TooLarge`] (a side over the device's 2-D
    /// texture limit) or [`GpuError::SizeMismatch`]; nothing is uploaded then.
    pub fn upload_grey(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        width: u32,
        height: u32,
        stored: &[f32],
    ) -> Result<(), GpuError> {
        check_size(device, width, height, stored.len(), 1)?;
        self.ensure_image(device, width, height, wgpu::TextureFormat::R32Float);
        write_texels(
            queue,
            &self.image,
            width,
            height,
            bytemuck::cast_slice(stored),
        );
        Ok(())
    }

    /// Uploads a colour frame: `rgba` holds `width × height × 4` bytes, row-major, drawn
    /// as they are in [`Mode::Colour`].
    ///
    /// # Errors
    /// As [`GpuImage::upload_grey`].
    pub fn upload_rgba(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        width: u32,
        height: u32,
        rgba: &[u8],
    ) -> Result<(), GpuError> {
        check_size(device, width, height, rgba.len(), 4)?;
        self.ensure_image(device, width, height, wgpu::TextureFormat::Rgba8Unorm);
        write_texels(queue, &self.image, width, height, rgba);
        Ok(())
    }

    /// Sets the VOI LUT of [`Mode::VoiLut`]: `lut01[i]` is the display value (0..1, i.e.
    /// `Lut::data[i] / Lut::max_output()`) of modality values `v` with
    /// `floor(v) - first_mapped == i`; values outside the table take its first/last entry.
    /// Calling it again with the same table uploads nothing.
    ///
    /// # Errors
    /// [`GpuError::EmptyLut`], or [`GpuError::LutTooLarge`] when the table needs more
    /// than the device's 2-D texture limit in rows of 256.
    pub fn set_voi_lut(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        lut01: &[f32],
        first_mapped: f32,
    ) -> Result<(), GpuError> {
        let Some(&last) = lut01.last() else {
            return Err(GpuError::EmptyLut);
        };
        // Texel 0 holds the first mapped value; the last row is filled with the last entry.
        let rows = (lut01.len() + 1).div_ceil(LUT_ROW as usize);
        let max_rows = device.limits().max_texture_dimension_2d as usize;
        let rows32 = u32::try_from(rows)
            .ok()
            .filter(|_| rows <= max_rows)
            .ok_or(GpuError::LutTooLarge { len: lut01.len() })?;
        let mut texels = Vec::with_capacity(rows * LUT_ROW as usize);
        texels.push(first_mapped);
        texels.extend_from_slice(lut01);
        texels.resize(rows * LUT_ROW as usize, last);
        if texels == self.lut_texels {
            return Ok(());
        }
        if self.lut.height() != rows32 || self.lut.width() != LUT_ROW {
            self.lut = new_texture(
                device,
                "lightbox VOI LUT",
                LUT_ROW,
                rows32,
                wgpu::TextureFormat::R32Float,
            );
            self.rebind(device);
        }
        write_texels(
            queue,
            &self.lut,
            LUT_ROW,
            rows32,
            bytemuck::cast_slice(&texels),
        );
        self.lut_texels = texels;
        Ok(())
    }

    /// Writes this frame's uniforms (view transform, window, flags).
    pub fn write_uniforms(&self, queue: &wgpu::Queue, uniforms: &ImageUniforms) {
        queue.write_buffer(&self.uniforms, 0, bytemuck::bytes_of(uniforms));
    }

    /// Draws the image quad with `pipeline` (which must target the pass's format).
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, pipeline: &ImagePipeline) {
        pass.set_pipeline(&pipeline.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.draw(0..4, 0..1);
    }

    /// Re-creates the image texture when its size or format changes.
    fn ensure_image(
        &mut self,
        device: &wgpu::Device,
        width: u32,
        height: u32,
        format: wgpu::TextureFormat,
    ) {
        if self.image.width() != width
            || self.image.height() != height
            || self.image.format() != format
        {
            self.image = new_texture(device, "lightbox image", width, height, format);
            self.rebind(device);
        }
    }

    fn rebind(&mut self, device: &wgpu::Device) {
        self.bind_group = bind_group(device, &self.layout, &self.uniforms, &self.image, &self.lut);
    }
}

/// Checks that `len` values fill a `width × height` image of `per_pixel` values each.
fn check_size(
    device: &wgpu::Device,
    width: u32,
    height: u32,
    len: usize,
    per_pixel: usize,
) -> Result<(), GpuError> {
    if width == 0 || height == 0 {
        return Err(GpuError::EmptyImage);
    }
    let max = device.limits().max_texture_dimension_2d;
    if width > max || height > max {
        return Err(GpuError::TooLarge { width, height, max });
    }
    let expected = (width as usize)
        .saturating_mul(height as usize)
        .saturating_mul(per_pixel);
    if len != expected {
        return Err(GpuError::SizeMismatch {
            expected,
            actual: len,
        });
    }
    Ok(())
}

fn new_texture(
    device: &wgpu::Device,
    label: &str,
    width: u32,
    height: u32,
    format: wgpu::TextureFormat,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    })
}

/// Writes a whole texture of 4-byte texels (R32Float or Rgba8Unorm).
fn write_texels(
    queue: &wgpu::Queue,
    texture: &wgpu::Texture,
    width: u32,
    height: u32,
    bytes: &[u8],
) {
    queue.write_texture(
        texture.as_image_copy(),
        bytes,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 4),
            rows_per_image: Some(height),
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
}

fn bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    uniforms: &wgpu::Buffer,
    image: &wgpu::Texture,
    lut: &wgpu::Texture,
) -> wgpu::BindGroup {
    let image_view = image.create_view(&wgpu::TextureViewDescriptor::default());
    let lut_view = lut.create_view(&wgpu::TextureViewDescriptor::default());
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("lightbox image bind group"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniforms.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(&image_view),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::TextureView(&lut_view),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniforms_match_the_wgsl_layout() {
        // WGSL (see the table on ImageUniforms): 2 × vec4<f32> + 10 × 4-byte scalars = 72
        // bytes, rounded up to the struct alignment of 16: 80.
        assert_eq!(
            std::mem::size_of::<ImageUniforms>() as u64,
            WGSL_IMAGE_UNIFORMS_SIZE
        );
        assert_eq!(WGSL_IMAGE_UNIFORMS_SIZE, 80);
        assert_eq!(std::mem::offset_of!(ImageUniforms, xform_x), 0);
        assert_eq!(std::mem::offset_of!(ImageUniforms, xform_y), 16);
        assert_eq!(std::mem::offset_of!(ImageUniforms, slope), 32);
        assert_eq!(std::mem::offset_of!(ImageUniforms, intercept), 36);
        assert_eq!(std::mem::offset_of!(ImageUniforms, center), 40);
        assert_eq!(std::mem::offset_of!(ImageUniforms, width), 44);
        assert_eq!(std::mem::offset_of!(ImageUniforms, mode), 48);
        assert_eq!(std::mem::offset_of!(ImageUniforms, invert), 52);
        assert_eq!(std::mem::offset_of!(ImageUniforms, use_padding), 56);
        assert_eq!(std::mem::offset_of!(ImageUniforms, padding_value), 60);
        assert_eq!(std::mem::offset_of!(ImageUniforms, interpolation), 64);
        assert_eq!(std::mem::offset_of!(ImageUniforms, colour_space), 68);
        assert_eq!(std::mem::offset_of!(ImageUniforms, _pad), 72);
    }

    #[test]
    fn shader_declares_the_same_fields_in_the_same_order() {
        let wgsl = include_str!("../../shaders/image.wgsl");
        let start = wgsl
            .find("struct ImageUniforms {")
            .expect("struct in shader");
        let end = start + wgsl[start..].find('}').expect("end of struct");
        let fields: Vec<&str> = wgsl[start..end]
            .lines()
            .filter_map(|l| l.trim().split_once(':').map(|(name, _)| name))
            .filter(|name| !name.starts_with("//"))
            .collect();
        assert_eq!(
            fields,
            [
                "xform_x",
                "xform_y",
                "slope",
                "intercept",
                "center",
                "width",
                "mode",
                "invert",
                "use_padding",
                "padding_value",
                "interpolation",
                "colour_space",
                "_pad0",
                "_pad1",
            ]
        );
    }

    #[test]
    fn new_uniforms_are_neutral() {
        let u = ImageUniforms::new([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], Mode::VoiLut);
        assert_eq!(u.mode, 3);
        assert_eq!(u.slope, 1.0);
        assert_eq!(u.interpolation, Interpolation::Nearest as u32);
        assert_eq!(u.colour_space, ColourConversion::None as u32);
        assert_eq!(u._pad, [0; 2]);
    }
}
