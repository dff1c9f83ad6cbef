//! Drawing through the viewer's pipelines into an offscreen target and reading the
//! pixels back: what the start-up probe (`gui::graphics::probe`) checks a backend with,
//! and what `tests/shader_vs_cpu.rs` compares with the CPU reference.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{GpuImage, ImagePipeline, ImageUniforms};

/// Draws `image` with `uniforms` into a fresh `width × height` target of the pipeline's
/// format, cleared to `clear` first, and returns its pixels as RGBA bytes, row by row
/// (BGRA targets are swizzled back). Waits at most `timeout` for the GPU.
#[expect(clippy::too_many_arguments, reason = "one draw's every input")]
pub fn render_rgba(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    pipeline: &ImagePipeline,
    image: &GpuImage,
    uniforms: &ImageUniforms,
    size: [u32; 2],
    clear: wgpu::Color,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    image.write_uniforms(queue, uniforms);
    let target = Target {
        format: pipeline.target_format(),
        size,
        clear,
    };
    draw_rgba(device, queue, &target, timeout, |pass| {
        image.paint(pass, pipeline)
    })
}

/// An offscreen target: its format, width × height and the colour it is cleared to.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The texture format (the pipelines drawn must target it).
    pub format: wgpu::TextureFormat,
    /// Width and height in pixels.
    pub size: [u32; 2],
    /// The colour the target is cleared to before `draw`.
    pub clear: wgpu::Color,
}

/// Runs `draw` in a render pass on a fresh `target` and returns its pixels as RGBA
/// bytes, row by row (BGRA targets swizzled back). Waits at most `timeout` for the GPU.
pub fn draw_rgba(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    target: &Target,
    timeout: Duration,
    draw: impl FnOnce(&mut wgpu::RenderPass<'_>),
) -> Result<Vec<u8>, String> {
    let Target {
        format,
        size: [width, height],
        clear,
    } = *target;
    let size = wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    };
    let texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("offscreen target"),
        size,
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    let row = (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("offscreen readback"),
        size: u64::from(row * height),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("offscreen image"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(clear),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        draw(&mut pass);
    }
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &readback,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row),
                rows_per_image: Some(height),
            },
        },
        size,
    );
    let submission = queue.submit([encoder.finish()]);
    let slice = readback.slice(..);
    let mapped: Arc<Mutex<Option<Result<(), String>>>> = Arc::default();
    let sink = Arc::clone(&mapped);
    slice.map_async(wgpu::MapMode::Read, move |r| {
        if let Ok(mut m) = sink.lock() {
            *m = Some(r.map_err(|e| e.to_string()));
        }
    });
    let start = Instant::now();
    device
        .poll(wgpu::PollType::Wait {
            submission_index: Some(submission),
            timeout: Some(timeout),
        })
        .map_err(|e| {
            format!(
                "waiting for the GPU ({:.1} s): {e}",
                start.elapsed().as_secs_f64()
            )
        })?;
    match mapped.lock().ok().and_then(|m| m.clone()) {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err(format!("reading the frame back: {e}")),
        None => return Err("the frame was never read back".to_owned()),
    }
    let data = slice.get_mapped_range().map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity((width * height * 4) as usize);
    for r in 0..height as usize {
        let start = r * row as usize;
        out.extend_from_slice(&data[start..start + width as usize * 4]);
    }
    if matches!(
        format,
        wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
    ) {
        out.chunks_exact_mut(4).for_each(|p| p.swap(0, 2));
    }
    Ok(out)
}
