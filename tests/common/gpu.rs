//! A headless wgpu device for the tests that draw offscreen (lavapipe is enough:
//! Debian `mesa-vulkan-drivers libvulkan1`). `WGPU_BACKEND=gl` (or `vulkan`) picks the
//! backend; by default Vulkan or GL.

/// A headless wgpu device.
pub struct Gpu {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The adapter it runs on.
    pub adapter: wgpu::AdapterInfo,
}

/// A headless device with the limits the viewer gets from egui-wgpu.
pub fn gpu() -> Gpu {
    let backends = wgpu::Backends::from_env()
        .filter(|b| !b.is_empty())
        .unwrap_or(wgpu::Backends::VULKAN | wgpu::Backends::GL);
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    let adapter = [false, true]
        .into_iter()
        .find_map(|force_fallback_adapter| {
            pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
                force_fallback_adapter,
                ..Default::default()
            }))
            .ok()
        })
        .expect("no wgpu adapter: install mesa-vulkan-drivers libvulkan1");
    let info = adapter.get_info();
    // As egui_wgpu::WgpuSetupCreateNew::default() asks.
    let base = if info.backend == wgpu::Backend::Gl {
        wgpu::Limits::downlevel_webgl2_defaults()
    } else {
        wgpu::Limits::default()
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("lightbox tests"),
        required_limits: wgpu::Limits {
            max_texture_dimension_2d: 8192,
            ..base
        },
        ..Default::default()
    }))
    .expect("request_device");
    Gpu {
        device,
        queue,
        adapter: info,
    }
}
