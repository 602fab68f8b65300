/**
 * The factory calibration of the emulated Sequoia unit: per-sensor optics, vignetting, sensor
 * model, black levels, sunshine-sensor calibration. A real camera writes its own unit's numbers
 * into every file; ours are those of the unit that wrote the reference capture
 * (fixtures/sequoia-real/0077, firmware 1.4.1), so Pix4D / ODM / micasense-style tools that read
 * them get the same, physically consistent values.
 */

export type MonoBand = 'GRE' | 'RED' | 'REG' | 'NIR';

export interface MonoCalibration {
  /** XMP Camera:BandName. */
  bandName: string;
  /** nm, also ImageDescription / SpectralSensitivity ("790 nm"). */
  centralWavelength: number;
  wavelengthFwhm: number;
  rigCameraIndex: number;
  /** Absent for the rig's reference camera (green): its relatives are zero by definition. */
  rigRelatives: string | null;
  /**
   * Degrees this imager's XMP Yaw/Pitch/Roll differ from the rig's (the green imager's): the
   * firmware corrects the IMU attitude for each imager's own alignment, so the four files of one
   * capture carry slightly different angles (a few 1e-5°, as in the reference capture).
   */
  attitudeOffset: { yaw: number; pitch: number; roll: number };
  principalPoint: string;
  fisheyeAffineMatrix: string;
  fisheyePolynomial: string;
  sensorModel: string;
  blackCurrent: number;
  vignettingPolynomial2D: string;
  /** "" when the sensor has no mapped dead pixel (the camera then writes an empty rdf:li). */
  invalidPixel: string;
  /** BlackLevel for the 2×2 pattern, in 16-bit sample units. */
  blackLevel: readonly [number, number, number, number];
  calibrationMeasurement: string;
  irradianceCalibrationMeasurement: string;
  irradianceCalibrationMeasurementGolden: string;
  irradianceSensitivitiesGolden: string;
}

/** Exponent order of VignettingPolynomial2D, the same for every band. */
export const VIGNETTING_POLYNOMIAL_2D_NAME = '0,0,1,0,2,0,3,0,4,0,0,1,0,2,0,3,0,4,1,1,1,2,1,3,2,1,2,2,3,1';
export const IRRADIANCE_UNIT_SCALE = '1.7873713395012918';
/** µs per sensor line (rolling shutter), mono and RGB. */
export const MONO_LINE_READOUT_TIME = 23076;
export const RGB_LINE_READOUT_TIME = 47500;

export const MONO_CALIBRATION: Readonly<Record<MonoBand, MonoCalibration>> = {
  GRE: {
    bandName: 'Green',
    centralWavelength: 550,
    wavelengthFwhm: 40,
    rigCameraIndex: 0,
    rigRelatives: null,
    attitudeOffset: { yaw: 0, pitch: 0, roll: 0 },
    principalPoint: '2.331556,1.804807',
    fisheyeAffineMatrix: '1657.895610464,0,0,1657.895610464',
    fisheyePolynomial: '0,1,0.007360142,-0.137502734',
    sensorModel: '310316.1,3067.5,4773.6',
    blackCurrent: 75,
    vignettingPolynomial2D:
      '0.7562020180280091,1.1264824215303069,-2.6696695964250181,3.0071531982772011,-1.4689567916235380,0.4082669339543161,-0.3184066771331092,-0.2274293062027746,0.1065379669565812,-1.0918397851886512,0.9974502466520518,0.0200064373266202,1.2678753224087242,-1.1064614371388299,-0.0784887541814723',
    invalidPixel: '167,204',
    blackLevel: [4953, 4981, 4994, 4965],
    calibrationMeasurement: '1,0.00311526479750779,464',
    irradianceCalibrationMeasurement: '0,600,14,1,1,600,323,37,2,600,5391,626,3,600,65535,15660',
    irradianceCalibrationMeasurementGolden: '0,600,12,1,1,600,306,45,2,600,5123,763,3,600,65535,19182',
    irradianceSensitivitiesGolden: '338.1324,61.53591',
  },
  RED: {
    bandName: 'Red',
    centralWavelength: 660,
    wavelengthFwhm: 40,
    rigCameraIndex: 1,
    rigRelatives: '-0.17691793882714,-0.123928375887953,-0.020731762792937',
    attitudeOffset: { yaw: 0.000019, pitch: -0.000042, roll: -0.000005 },
    principalPoint: '2.412921,1.752421',
    fisheyeAffineMatrix: '1660.256573442,0,0,1660.256573442',
    fisheyePolynomial: '0,1,0.009639876,-0.145491068',
    sensorModel: '280652.5,4863.1,2764.2',
    blackCurrent: 73,
    vignettingPolynomial2D:
      '0.7674838709084648,0.9326491874633737,-1.8938739019999988,1.9520560718141446,-0.9418838349660010,0.4093977949311940,-0.5524871547803909,0.2682069042658002,-0.1380931666016630,-0.8745435207857790,0.7772711655663260,0.0706000256461482,0.9043222865445359,-0.9028703453687225,0.0262650664310088',
    invalidPixel: '569,199',
    blackLevel: [5046, 5066, 5069, 5055],
    calibrationMeasurement: '1,0.00166112956810631,460',
    irradianceCalibrationMeasurement: '0,600,29,7,1,600,686,178,2,600,11637,2927,3,600,65535,65535',
    irradianceCalibrationMeasurementGolden: '0,600,31,8,1,600,777,207,2,600,12796,3310,3,600,65535,65535',
    irradianceSensitivitiesGolden: '384.6209,100.0856',
  },
  REG: {
    bandName: 'Red edge',
    centralWavelength: 735,
    wavelengthFwhm: 10,
    rigCameraIndex: 2,
    rigRelatives: '-0.00961328322210056,-0.39106471463759,0.0484988702312383',
    attitudeOffset: { yaw: -0.00002, pitch: 0.000025, roll: 0.000003 },
    principalPoint: '2.304729,1.872619',
    fisheyeAffineMatrix: '1656.405139818,0,0,1656.405139818',
    fisheyePolynomial: '0,1,0.013662812,-0.147723958',
    sensorModel: '78630.0,5078.8,623.5',
    blackCurrent: 74,
    vignettingPolynomial2D:
      '0.7267915390916962,1.3243379759632676,-2.7732531725759877,2.8945609373516836,-1.4605925875065069,0.5299263307324268,-0.9680085989136842,0.8576109183024931,-0.4323961087567993,-1.4700965825212571,1.4324280577029096,-0.0297179312226192,1.5793917778045019,-1.4858545818859004,-0.0219866984838915',
    invalidPixel: '',
    blackLevel: [5724, 5721, 5764, 5674],
    calibrationMeasurement: '1,0.0136986301369863,510',
    irradianceCalibrationMeasurement: '0,600,8,3,1,600,195,79,2,600,3262,1280,3,600,65535,32727',
    irradianceCalibrationMeasurementGolden: '0,600,9,3,1,600,227,93,2,600,3776,1520,3,600,65535,38170',
    irradianceSensitivitiesGolden: '154.1272,58.31892',
  },
  NIR: {
    bandName: 'NIR',
    centralWavelength: 790,
    wavelengthFwhm: 40,
    rigCameraIndex: 3,
    rigRelatives: '-0.428217331042056,-0.317172020120632,-0.0285496913762841',
    attitudeOffset: { yaw: -0.000023, pitch: 0.000049, roll: 0.000006 },
    principalPoint: '2.437008,1.878439',
    fisheyeAffineMatrix: '1659.160013929,0,0,1659.160013929',
    fisheyePolynomial: '0,1,0.013732464,-0.152095545',
    sensorModel: '271665.8,5008.3,2581.1',
    blackCurrent: 72,
    vignettingPolynomial2D:
      '0.7021577244607361,1.3734672698157986,-2.9684394717781024,3.1315011848102756,-1.4876594354328867,0.5576501673938530,-0.8574642789391101,0.5924568838990085,-0.2833140682297224,-1.3539899005747487,1.1810448258272084,0.0401532496370044,1.5186225113705802,-1.3151078085964958,-0.0711311182613695',
    invalidPixel: '424,389',
    blackLevel: [5475, 5420, 5463, 5520],
    calibrationMeasurement: '1,0.00366300366300366,502',
    irradianceCalibrationMeasurement: '0,600,30,16,1,600,737,376,2,600,12340,6222,3,600,65535,65535',
    irradianceCalibrationMeasurementGolden: '0,600,31,16,1,600,775,401,2,600,12872,6477,3,600,65535,65535',
    irradianceSensitivitiesGolden: '656.1082,323.8589',
  },
};

/** The RGB camera's optics (perspective model), from the same unit. */
export const RGB_CALIBRATION = {
  principalPoint: '3.051434,2.274263',
  perspectiveFocalLength: '4.829311',
  perspectiveDistortion: '0.179485362,-0.495503284,0.424831322,-0.000949212,0.000767722',
  imuFrequency: 1000,
} as const;

/**
 * Lens and sensor figures for EXIF. Focal lengths are the float32 values the camera stores
 * (3.98 shows as "4.0 mm", 4.88 as "4.9 mm"); the focal-plane resolution is pixels per mm of the
 * sensor at full resolution and scales with the chosen resolution.
 */
export const OPTICS = {
  mono: { fNumber: 2.2, focalLength: 3.98, focalLength35: 30, sensorWidthMm: 4.8 },
  rgb: { fNumber: 2.3, focalLength: 4.88, focalLength35: 28, sensorWidthMm: 6.17472 },
} as const;
