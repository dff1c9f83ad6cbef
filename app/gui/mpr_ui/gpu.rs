//! The MPR views' GPU side in egui-wgpu's callback resources: one pipeline, the
//! volume uploaded once per generation, one uniform block per view.

use std::sync::{Arc, Mutex};

use eframe::egui_wgpu;

use crate::gui::gpu::volume::{GpuMprView, GpuVolume, MprPipeline, MprUniforms};
use crate::mpr::grid::VoxelGrid;

/// The pipeline, the uploaded volume and its three views.
pub struct MprResources {
    pipeline: MprPipeline,
    /// The generation uploaded, the volume and one view per plane.
    uploaded: Option<(u64, GpuVolume, [GpuMprView; 3])>,
}

impl MprResources {
    /// Builds the pipelines once for the window's target format.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        Self {
            pipeline: MprPipeline::new(device, format),
            uploaded: None,
        }
    }
}

/// Where an upload's failure is reported to the UI.
pub type UploadError = Arc<Mutex<Option<String>>>;

/// Paints one MPR view: uploads the volume when its generation is new, writes the
/// view's uniforms every frame.
pub struct MprCallback {
    /// The volume and the generation that names it.
    pub grid: Arc<VoxelGrid>,
    /// Bumped for every new volume.
    pub generation: u64,
    /// Which view (0 axial, 1 coronal, 2 sagittal).
    pub view: usize,
    /// This frame's uniforms, but for the texel offset, set here from the upload.
    pub uniforms: MprUniforms,
    /// Where to say the upload failed.
    pub error: UploadError,
}

impl egui_wgpu::CallbackTrait for MprCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(res) = resources.get_mut::<MprResources>() else {
            return Vec::new();
        };
        let fresh = res
            .uploaded
            .as_ref()
            .is_none_or(|(g, _, _)| *g != self.generation);
        if fresh {
            res.uploaded = match GpuVolume::upload(device, queue, &self.grid) {
                Ok(volume) => {
                    let views =
                        std::array::from_fn(|_| GpuMprView::new(device, &res.pipeline, &volume));
                    Some((self.generation, volume, views))
                }
                Err(e) => {
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e.to_string());
                    }
                    None
                }
            };
        }
        if let Some((_, volume, views)) = &res.uploaded {
            let uniforms = MprUniforms {
                value_offset: volume.offset,
                ..self.uniforms
            };
            views[self.view].write_uniforms(queue, &uniforms);
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(res) = resources.get::<MprResources>()
            && let Some((generation, _, views)) = &res.uploaded
            && *generation == self.generation
        {
            views[self.view].paint(render_pass, &res.pipeline);
        }
    }
}
