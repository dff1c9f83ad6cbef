//! MPR on the GPU: a [`VoxelGrid`] as a 3-D texture and `shaders/mpr.wgsl` drawing
//! one view of it per viewport.
//!
//! The volume is uploaded once per series (`R16Uint`, 2 bytes a voxel, for the integer
//! volumes CT and MR give; `R32Float` otherwise) and every view only writes its small
//! uniform block ([`MprUniforms`]) per frame: moving the crosshair, the slab or the
//! window redraws three views without touching the texture. The CPU reference of the
//! shader is `lightbox::mpr::reslice::sample_pixel`; `tests/mpr_gpu.rs` compares them.

use crate::mpr::grid::{Texels, VoxelGrid};
use crate::mpr::plane::SlabMode;
use crate::mpr::reslice::{ResliceView, VoxelInterpolation};
use crate::window::VoiFunction;

use super::GpuError;

// Keep in sync with shaders/mpr.wgsl (`struct MprUniforms`).
/// The per-frame parameters of one MPR view, byte for byte as `shaders/mpr.wgsl`
/// declares them (offsets in its comments; size 112, alignment 16).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MprUniforms {
    /// Voxel coordinates of the view's top-left corner (w unused).
    pub corner: [f32; 4],
    /// Voxel step per view pixel to the right.
    pub step_x: [f32; 4],
    /// Voxel step per view pixel down.
    pub step_y: [f32; 4],
    /// Voxel step between slab samples.
    pub slab_step: [f32; 4],
    /// The view's top-left corner in framebuffer pixels.
    pub view_origin: [f32; 2],
    /// modality = texel + `value_offset`.
    pub value_offset: f32,
    /// Samples per pixel along the slab.
    pub slab_samples: u32,
    /// 0 MIP, 1 MinIP, 2 mean.
    pub slab_mode: u32,
    /// 0 nearest, 1 trilinear.
    pub interpolation: u32,
    /// Window centre, modality units.
    pub center: f32,
    /// Window width, modality units.
    pub width: f32,
    /// Bits 0..1: the window function (0 linear, 1 linear exact, 2 sigmoid); bit 2: invert.
    pub flags: u32,
    /// Padding to the WGSL struct size; keep zero.
    pub _pad: [u32; 3],
}

/// Size in bytes of `struct MprUniforms` in `shaders/mpr.wgsl`: four `vec4<f32>` (64),
/// a `vec2<f32>` (8) and ten 4-byte scalars (40) = 112, a multiple of 16.
pub const WGSL_MPR_UNIFORMS_SIZE: u64 = 112;

/// A VOI window as the MPR shader applies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MprWindow {
    /// Centre, modality units.
    pub center: f64,
    /// Width, modality units.
    pub width: f64,
    /// Its function (a VOI LUT is not offered in MPR).
    pub function: VoiFunction,
    /// Draw white as black.
    pub invert: bool,
}

impl MprUniforms {
    /// The uniforms drawing `view` of a volume whose texels are offset by `offset`,
    /// through `window`, in a viewport whose top-left framebuffer pixel is `origin_px`.
    pub fn new(view: &ResliceView, offset: f32, window: &MprWindow, origin_px: [f32; 2]) -> Self {
        let v4 = |v: [f32; 3]| [v[0], v[1], v[2], 0.0];
        let function = match window.function {
            VoiFunction::Linear => 0,
            VoiFunction::LinearExact => 1,
            VoiFunction::Sigmoid => 2,
        };
        Self {
            corner: v4(view.corner),
            step_x: v4(view.step_x),
            step_y: v4(view.step_y),
            slab_step: v4(view.slab_step),
            view_origin: origin_px,
            value_offset: offset,
            slab_samples: view.slab_samples,
            slab_mode: match view.slab_mode {
                SlabMode::Mip => 0,
                SlabMode::Minip => 1,
                SlabMode::Avg => 2,
            },
            interpolation: match view.interpolation {
                VoxelInterpolation::Nearest => 0,
                VoxelInterpolation::Trilinear => 1,
            },
            center: window.center as f32,
            width: window.width as f32,
            flags: function | if window.invert { 4 } else { 0 },
            _pad: [0; 3],
        }
    }
}

/// The two MPR pipelines (16-bit and float volumes) for one target format.
#[derive(Debug)]
pub struct MprPipeline {
    u16_pipeline: wgpu::RenderPipeline,
    f32_pipeline: wgpu::RenderPipeline,
    u16_layout: wgpu::BindGroupLayout,
    f32_layout: wgpu::BindGroupLayout,
    target_format: wgpu::TextureFormat,
}

impl MprPipeline {
    /// Compiles `shaders/mpr.wgsl` for both texel types, drawing into `target_format`.
    pub fn new(device: &wgpu::Device, target_format: wgpu::TextureFormat) -> Self {
        let (u16_pipeline, u16_layout) = build(device, target_format, "u32");
        let (f32_pipeline, f32_layout) = build(device, target_format, "f32");
        Self {
            u16_pipeline,
            f32_pipeline,
            u16_layout,
            f32_layout,
            target_format,
        }
    }

    /// The format this pipeline draws into.
    pub fn target_format(&self) -> wgpu::TextureFormat {
        self.target_format
    }
}

/// One pipeline of `shaders/mpr.wgsl` with its texture's sample type `texel` (`u32` or
/// `f32`), and its bind group layout.
fn build(
    device: &wgpu::Device,
    target_format: wgpu::TextureFormat,
    texel: &str,
) -> (wgpu::RenderPipeline, wgpu::BindGroupLayout) {
    let source = concat!(
        include_str!("../../../shaders/window.wgsl"),
        include_str!("../../../shaders/mpr.wgsl")
    )
    .replace("texture_3d<TEXEL>", &format!("texture_3d<{texel}>"));
    let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("lightbox mpr shader"),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let sample_type = if texel == "u32" {
        wgpu::TextureSampleType::Uint
    } else {
        wgpu::TextureSampleType::Float { filterable: false }
    };
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("lightbox mpr bind group layout"),
        entries: &[
            wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: wgpu::BufferSize::new(WGSL_MPR_UNIFORMS_SIZE),
                },
                count: None,
            },
            wgpu::BindGroupLayoutEntry {
                binding: 1,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type,
                    view_dimension: wgpu::TextureViewDimension::D3,
                    multisampled: false,
                },
                count: None,
            },
        ],
    });
    let pipeline = super::fragment_pipeline(
        device,
        "lightbox mpr pipeline",
        &layout,
        &shader,
        target_format,
        wgpu::PrimitiveTopology::TriangleList,
    );
    (pipeline, layout)
}

/// A volume on the GPU: its 3-D texture and what a texel stands for.
#[derive(Debug)]
pub struct GpuVolume {
    view: wgpu::TextureView,
    sixteen_bit: bool,
    /// modality = texel + `offset`.
    pub offset: f32,
    /// Voxels along x, y, z.
    pub dims: [usize; 3],
}

impl GpuVolume {
    /// Uploads `grid` as a 3-D texture, slice by slice (so the staging memory stays one
    /// slice, not the volume).
    ///
    /// # Errors
    /// A side beyond the device's 3-D texture limit, or an empty grid.
    pub fn upload(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        grid: &VoxelGrid,
    ) -> Result<Self, GpuError> {
        let [w, h, d] = grid.dims;
        if w == 0 || h == 0 || d == 0 {
            return Err(GpuError::EmptyImage);
        }
        let max = device.limits().max_texture_dimension_3d;
        if grid.dims.iter().any(|&n| n > max as usize) {
            return Err(GpuError::VolumeTooLarge {
                dims: grid.dims,
                max,
            });
        }
        let (format, offset, bytes): (_, _, &[u8]) = match &grid.texels {
            Texels::U16 { texels, offset } => (
                wgpu::TextureFormat::R16Uint,
                *offset,
                bytemuck::cast_slice(texels),
            ),
            Texels::F32(values) => (
                wgpu::TextureFormat::R32Float,
                0.0,
                bytemuck::cast_slice(values),
            ),
        };
        let (w32, h32, d32) = (w as u32, h as u32, d as u32);
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("lightbox mpr volume"),
            size: wgpu::Extent3d {
                width: w32,
                height: h32,
                depth_or_array_layers: d32,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D3,
            format,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let texel_bytes = grid.texels.bytes_per_voxel();
        let slice_bytes = w * h * texel_bytes;
        for (z, chunk) in bytes.chunks_exact(slice_bytes).enumerate() {
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d {
                        x: 0,
                        y: 0,
                        z: z as u32,
                    },
                    aspect: wgpu::TextureAspect::All,
                },
                chunk,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(w32 * texel_bytes as u32),
                    rows_per_image: Some(h32),
                },
                wgpu::Extent3d {
                    width: w32,
                    height: h32,
                    depth_or_array_layers: 1,
                },
            );
        }
        Ok(Self {
            view: texture.create_view(&wgpu::TextureViewDescriptor::default()),
            sixteen_bit: matches!(grid.texels, Texels::U16 { .. }),
            offset,
            dims: grid.dims,
        })
    }
}

/// One viewport's MPR view: its uniform buffer and bind group over a [`GpuVolume`].
#[derive(Debug)]
pub struct GpuMprView {
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    sixteen_bit: bool,
}

impl GpuMprView {
    /// A view of `volume` drawn with `pipeline`.
    pub fn new(device: &wgpu::Device, pipeline: &MprPipeline, volume: &GpuVolume) -> Self {
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("lightbox mpr uniforms"),
            size: WGSL_MPR_UNIFORMS_SIZE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = if volume.sixteen_bit {
            &pipeline.u16_layout
        } else {
            &pipeline.f32_layout
        };
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("lightbox mpr bind group"),
            layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniforms.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&volume.view),
                },
            ],
        });
        Self {
            uniforms,
            bind_group,
            sixteen_bit: volume.sixteen_bit,
        }
    }

    /// Writes this frame's uniforms.
    pub fn write_uniforms(&self, queue: &wgpu::Queue, uniforms: &MprUniforms) {
        queue.write_buffer(&self.uniforms, 0, bytemuck::bytes_of(uniforms));
    }

    /// Draws the view over the pass's viewport.
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, pipeline: &MprPipeline) {
        pass.set_pipeline(if self.sixteen_bit {
            &pipeline.u16_pipeline
        } else {
            &pipeline.f32_pipeline
        });
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniforms_match_the_wgsl_layout() {
        assert_eq!(
            std::mem::size_of::<MprUniforms>() as u64,
            WGSL_MPR_UNIFORMS_SIZE
        );
        assert_eq!(std::mem::offset_of!(MprUniforms, slab_step), 48);
        assert_eq!(std::mem::offset_of!(MprUniforms, view_origin), 64);
        assert_eq!(std::mem::offset_of!(MprUniforms, value_offset), 72);
        assert_eq!(std::mem::offset_of!(MprUniforms, slab_samples), 76);
        assert_eq!(std::mem::offset_of!(MprUniforms, slab_mode), 80);
        assert_eq!(std::mem::offset_of!(MprUniforms, interpolation), 84);
        assert_eq!(std::mem::offset_of!(MprUniforms, center), 88);
        assert_eq!(std::mem::offset_of!(MprUniforms, width), 92);
        assert_eq!(std::mem::offset_of!(MprUniforms, flags), 96);
    }

    #[test]
    fn shader_declares_the_same_fields_in_the_same_order() {
        let wgsl = include_str!("../../../shaders/mpr.wgsl");
        let start = wgsl.find("struct MprUniforms {").expect("struct in shader");
        let end = start + wgsl[start..].find('}').expect("end of struct");
        let fields: Vec<&str> = wgsl[start..end]
            .lines()
            .filter_map(|l| l.trim().split_once(':').map(|(name, _)| name))
            .filter(|name| !name.starts_with("//"))
            .collect();
        assert_eq!(
            fields,
            [
                "corner",
                "step_x",
                "step_y",
                "slab_step",
                "view_origin",
                "value_offset",
                "slab_samples",
                "slab_mode",
                "interpolation",
                "center",
                "width",
                "flags",
                "_pad0",
                "_pad1",
                "_pad2",
            ]
        );
    }
}
